import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditConfig } from '../audit/audit.config';
import { AuditOwnerModule } from '../audit/audit-owner.module';
import type { AppConfig } from '../config/config';
import { ClockModule } from '../clock/clock.module';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { SchemaContributionsModule } from '../database/schema-contributions';
import type { EntryPoint } from '../events/security-event';
import { EventsModule } from '../events/events.module';
import { configNamespacesOf, eventNamesOf, schemaContributionOf } from '../extension/gatehouse-module';
import { RecoveryCodesModule } from '../recovery/recovery-codes.module';
import { escapeJsonLine } from '../tokens/printable';
import { TokensModule } from '../tokens/tokens.module';
import { SecretsConfig } from '../secrets/secrets.config';
import { TwoFactorStoreModule } from '../two-factor/two-factor-store.module';
import { TwoFactorConfig } from '../two-factor/two-factor.config';
import { AccessTokensConfig, IntrospectionConfig } from '../access-tokens/access-tokens.config';
import { OwnerService } from './owner.service';

/**
 * What the owner's tools (the command line, the MCP server) need: the stores, the added modules
 * (src/modules.ts: their owner commands, configuration and events), without HTTP, guards,
 * sockets or the server's background work (lifecycle/background-work.ts: a command must never
 * sweep tokens as the owner). `via` marks their security events.
 */
@Module({})
export class OwnerModule {
  static forRoot(config: AppConfig, via: EntryPoint, modules: Type[] = []): DynamicModule {
    return {
      module: OwnerModule,
      imports: [
        ConfigModule.forRoot(config, [
          TwoFactorConfig,
          SecretsConfig,
          AuditConfig,
          AccessTokensConfig,
          IntrospectionConfig,
          ...configNamespacesOf(modules),
        ]),
        ClockModule.forRoot(),
        // Events go to stderr: stdout carries the command's result, or the MCP protocol. Still JSON,
        // but with no control character from stored data left raw for the owner's terminal.
        EventsModule.forRoot({
          via,
          sink: (line) => process.stderr.write(`${escapeJsonLine(line)}\n`),
          names: eventNamesOf(modules),
        }),
        SchemaContributionsModule.forRoot(schemaContributionOf(modules)),
        DatabaseModule,
        AccountsModule,
        TokensModule,
        RecoveryCodesModule,
        TwoFactorStoreModule,
        AuditOwnerModule,
        ...modules,
      ],
      providers: [OwnerService],
      exports: [OwnerService],
    };
  }
}
