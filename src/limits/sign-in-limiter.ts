import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { type DomainError, tooManyAttempts } from '../errors/domain-error';
import { LoginFailureStore } from './login-failure.store';

/** Failed sign-ins are counted over this window (CONTRACT section 9). */
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;

/**
 * Thrown by an attempt's verification after the secret itself was right (a sign-in step's
 * refusal, such as a missing or wrong second factor): `countsAsFailure` decides whether it stays
 * counted as a failed sign-in (a wrong code) or is taken back (a code not asked for yet).
 */
export class RefusedAttempt extends Error {
  constructor(
    /** What the client is answered. */
    readonly error: DomainError,
    readonly countsAsFailure: boolean,
    /** Where the attempt failed, for the `sign-in.failed` event (e.g. "second-factor"). */
    readonly stage?: string,
  ) {
    super(error.message);
    this.name = 'RefusedAttempt';
  }
}

/**
 * The per-(account, address) failure limit. Every attempt is counted before the password is
 * checked and taken back if it was not a failure, so a burst of parallel guesses cannot slip
 * past the limit while the first ones are still being hashed. Once the limit is reached, that
 * address gets 429 for that account, even with the right password, until the window ends;
 * other addresses are untouched, so an attacker cannot lock the owner out.
 * Unknown logins are counted like known ones: a 429 must not tell which accounts exist.
 */
@Injectable()
export class SignInLimiter {
  constructor(
    private readonly store: LoginFailureStore,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** `accountKey` is the login's normalised key (see identifier.ts), so case variants count as one. */
  async attempt<T>(accountKey: string, address: string, verify: () => Promise<T | null>): Promise<T | null> {
    const key = `${accountKey}\u0000${address}`;
    const window = await this.store.increment(key, LOGIN_FAILURE_WINDOW_MS);
    if (window.count > this.config.loginMaxFailures) {
      await this.store.decrement(key);
      const seconds = Math.max(1, Math.ceil((window.resetAt - this.clock.now()) / 1000));
      throw tooManyAttempts('too many failed sign-ins for this account from this address', seconds);
    }
    let result: T | null;
    try {
      result = await verify();
    } catch (error) {
      // A refusal that counts stays counted; bad input, an unavailable database or a refusal
      // that does not count (a step not taken yet) is not a failed guess.
      if (!(error instanceof RefusedAttempt && error.countsAsFailure)) await this.store.decrement(key);
      throw error;
    }
    if (result !== null) await this.store.clear(key);
    return result;
  }
}
