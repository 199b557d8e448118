import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { AccessTokensConfig, IntrospectionConfig } from './access-tokens/access-tokens.config';
import { AccessTokensModule } from './access-tokens/access-tokens.module';
import { AuditConfig } from './audit/audit.config';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import type { Clock } from './clock/clock';
import { ClockModule } from './clock/clock.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { SchemaContributionsModule } from './database/schema-contributions';
import { EventsModule, type EventsOptions } from './events/events.module';
import { configNamespacesOf, eventNamesOf, schemaContributionOf } from './extension/gatehouse-module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { MetricsModule } from './metrics/metrics.module';
import { RealtimeModule } from './realtime/realtime.module';
import { SelfServiceModule } from './self-service/self-service.module';
import { RecoveryModule } from './recovery/recovery.module';
import { SecretsConfig } from './secrets/secrets.config';
import { TwoFactorConfig } from './two-factor/two-factor.config';
import { TwoFactorModule } from './two-factor/two-factor.module';
import { parseNamespaces } from './config/config-namespace';
import { configSource } from './config/config';
import { PasskeyRelyingParty, PasskeysSwitch } from './passkeys/passkeys.config';
import { PasskeysModule, PasskeyTablesModule } from './passkeys/passkeys.module';

export interface AppModuleOptions {
  /**
   * Further modules (with their own controllers and gateways) behind Gatehouse's guard; those
   * declared with @GatehouseModule bring their tables (see src/extension).
   */
  modules?: Type[];
  /** The time source; tests hand in one they can move. */
  clock?: Clock;
  /** Where security events are written (stdout by default). */
  events?: EventsOptions;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    const modules = options.modules ?? [];
    // PASSKEYS=off leaves the routes out altogether: 404, and absent from the OpenAPI document.
    const passkeys = (parseNamespaces(configSource(config), [PasskeysSwitch]).get(PasskeysSwitch) as PasskeysSwitch)
      .PASSKEYS;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, [
          TwoFactorConfig,
          SecretsConfig,
          AuditConfig,
          AccessTokensConfig,
          IntrospectionConfig,
          PasskeysSwitch,
          PasskeyRelyingParty,
          ...configNamespacesOf(modules),
        ]),
        ClockModule.forRoot(options.clock),
        EventsModule.forRoot({ ...options.events, names: eventNamesOf(modules) }),
        SchemaContributionsModule.forRoot(schemaContributionOf(modules)),
        DatabaseModule,
        AuthModule,
        HealthModule,
        RealtimeModule,
        SelfServiceModule,
        RecoveryModule,
        TwoFactorModule,
        PasskeyTablesModule,
        ...(passkeys ? [PasskeysModule] : []),
        AuditModule,
        AccessTokensModule,
        LifecycleModule,
        MetricsModule,
        ...modules,
      ],
    };
  }
}
