import { type DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import type { AppConfig } from '../config/config';
import { ClockModule } from '../clock/clock.module';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import type { EntryPoint } from '../events/security-event';
import { EventsModule } from '../events/events.module';
import { RecoveryCodesModule } from '../recovery/recovery-codes.module';
import { TokensModule } from '../tokens/tokens.module';
import { OwnerService } from './owner.service';

/**
 * What the owner's tools (the command line, the MCP server) need: the stores, without HTTP,
 * guards, sockets or the server's background work (lifecycle/background-work.ts: a command
 * must never sweep tokens as the owner). `via` marks their security events.
 */
@Module({})
export class OwnerModule {
  static forRoot(config: AppConfig, via: EntryPoint): DynamicModule {
    return {
      module: OwnerModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(),
        // Events go to stderr: stdout carries the command's result, or the MCP protocol.
        EventsModule.forRoot({ via, sink: (line) => process.stderr.write(`${line}\n`) }),
        DatabaseModule,
        AccountsModule,
        TokensModule,
        RecoveryCodesModule,
      ],
      providers: [OwnerService],
      exports: [OwnerService],
    };
  }
}
