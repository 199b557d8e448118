import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { LoginFailureStore, MemoryLoginFailureStore } from './login-failure.store';
import { RedisLoginFailureStore } from './redis-login-failure.store';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { SignInLimiter } from './sign-in-limiter';
import { SignInRateGuard } from './sign-in-rate.guard';
import { TokenFailureLimiter } from './token-failure-limiter';

/**
 * The abuse limits of CONTRACT sections 9 and 23. Each kind of counter sits behind a storage
 * interface (ThrottlerStorage for the per-address rate, LoginFailureStore for failed sign-ins and,
 * in TokenFailureLimiter, for refused token checks per address): in this
 * process's memory by default, in Redis when REDIS_URL is set, so that several instances behind
 * one balancer count together.
 */
@Module({
  imports: [
    SharedStoreModule,
    ThrottlerModule.forRootAsync({
      imports: [SharedStoreModule],
      inject: [APP_CONFIG, SHARED_STORE],
      useFactory: (config: AppConfig, shared: SharedStore | null) => ({
        throttlers: [{ ttl: 60_000, limit: Math.max(1, config.rateLimitPerMinute) }],
        skipIf: () => config.rateLimitPerMinute === 0,
        errorMessage: 'too many sign-in or registration attempts from this address',
        // undefined: the throttler's own in-memory storage.
        storage: shared ? new RedisThrottlerStorage(shared) : undefined,
      }),
    }),
  ],
  providers: [
    SignInLimiter,
    SignInRateGuard,
    TokenFailureLimiter,
    {
      provide: LoginFailureStore,
      inject: [SHARED_STORE, Clock],
      useFactory: (shared: SharedStore | null, clock: Clock) =>
        shared ? new RedisLoginFailureStore(shared, clock) : new MemoryLoginFailureStore(clock),
    },
  ],
  exports: [SignInLimiter, SignInRateGuard, TokenFailureLimiter, ThrottlerModule],
})
export class LimitsModule {}
