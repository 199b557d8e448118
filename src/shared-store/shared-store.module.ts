import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SHARED_STORE, SharedStore } from './shared-store';

/**
 * The Redis connections of a deployment with several instances (REDIS_URL), or null: then
 * every counter and every revocation stays in this process, as with a single instance.
 * LimitsModule and TokensModule pick their implementations from it.
 */
@Module({
  providers: [
    {
      provide: SHARED_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): SharedStore | null =>
        config.redisUrl ? new SharedStore(config.redisUrl, config.redisPrefix) : null,
    },
  ],
  exports: [SHARED_STORE],
})
export class SharedStoreModule {}
