import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { RealtimeModule } from './realtime/realtime.module';

@Module({})
export class AppModule {
  /** `extra` lets an embedding application (or a test) add its own modules behind the guard. */
  static forRoot(config: AppConfig, extra: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, AuthModule, HealthModule, RealtimeModule, LifecycleModule, ...extra],
    };
  }
}
