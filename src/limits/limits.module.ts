import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { LoginFailureStore, MemoryLoginFailureStore } from './login-failure.store';
import { SignInLimiter } from './sign-in-limiter';
import { SignInRateGuard } from './sign-in-rate.guard';

/**
 * The abuse limits of CONTRACT section 9. Both kinds of counter live in this process's memory
 * by default; each sits behind a storage interface (ThrottlerStorage for the per-address rate,
 * LoginFailureStore for failed sign-ins) so that a shared store can take over when several
 * instances serve the same users.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ ttl: 60_000, limit: Math.max(1, config.rateLimitPerMinute) }],
        skipIf: () => config.rateLimitPerMinute === 0,
        errorMessage: 'too many sign-in or registration attempts from this address',
      }),
    }),
  ],
  providers: [SignInLimiter, SignInRateGuard, { provide: LoginFailureStore, useFactory: () => new MemoryLoginFailureStore() }],
  exports: [SignInLimiter, SignInRateGuard, ThrottlerModule],
})
export class LimitsModule {}
