import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { SecurityEvents } from '../events/security-events';
import { RefusedAttempt, SignInLimiter } from '../limits/sign-in-limiter';

/** Who is being checked: the account's login key for the failure count, the rest for the events. */
export interface PasswordAttempt {
  /** The login's normalised key (identifier.ts). */
  accountKey: string;
  /** The login as registered, or as given when no account has it. */
  login: string;
  /**
   * null when no account has the login; a function when that is known only after a failure
   * (a sign-in finds the account and checks the password in one step).
   */
  accountId: number | null | (() => Promise<number | null>);
  address: string;
}

/**
 * Every check of a password against an account, a sign-in's or a self-service call's, goes
 * through here: it counts under the per-(account, address) failure limit (SignInLimiter) and
 * records `sign-in.failed` (with `stage`: `password`, or the refusing step's) and
 * `sign-in.locked-out`. `verify` resolves to null for a wrong
 * password; it may throw a RefusedAttempt (a sign-in step's refusal), which counts or not as the
 * step said and is answered with the step's error. The caller decides what a wrong password
 * answers (401 for a sign-in, 403 for a signed-in caller).
 */
@Injectable()
export class PasswordGate {
  constructor(
    private readonly limiter: SignInLimiter,
    private readonly events: SecurityEvents,
  ) {}

  async check<T>(attempt: PasswordAttempt, verify: () => Promise<T | null>): Promise<T | null> {
    const event = async () => ({
      accountId:
        typeof attempt.accountId === 'function' ? await attempt.accountId().catch(() => null) : attempt.accountId,
      login: attempt.login,
      address: attempt.address,
    });
    let result: T | null;
    try {
      result = await this.limiter.attempt(attempt.accountKey, attempt.address, verify);
    } catch (error) {
      if (error instanceof RefusedAttempt) {
        if (error.countsAsFailure)
          this.events.record({ event: 'sign-in.failed', ...(await event()), stage: error.stage ?? 'password' });
        throw error.error;
      }
      if (error instanceof DomainError && error.kind === 'too-many')
        this.events.record({ event: 'sign-in.locked-out', ...(await event()) });
      throw error;
    }
    if (result === null) this.events.record({ event: 'sign-in.failed', ...(await event()), stage: 'password' });
    return result;
  }
}
