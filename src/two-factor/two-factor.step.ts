import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type SignInAttempt, SignInStep, type StepVerdict } from '../auth/sign-in-steps';
import { DomainError } from '../errors/domain-error';
import { SecondFactor } from './second-factor';

/** What a client decides its next step by: ask for a code (CONTRACT section 18). */
const CODE_REQUIRED = { secondFactor: 'required' };

/**
 * The second factor of a sign-in and of every call that asks for the password again, for accounts
 * with two-factor on (others, and passkey sign-ins, pass untouched; their `otp` is ignored).
 *
 * - Sign-in: a missing code is 401 with `"secondFactor":"required"`, the normal first of two
 *   requests: not counted, no event. A wrong or used code is the same 401, counted as a failed
 *   sign-in (`sign-in.failed` with `"stage":"second-factor"`).
 * - Step-up: a missing or wrong code is 403 with the same field, counted.
 *
 * The password was checked before: the field never tells anyone without it that the account has
 * two-factor on. A right code names the sign-in's method (`password+totp`, `password+backup-code`).
 */
@Injectable()
@SignInStep({ order: 10 })
export class TwoFactorStep implements SignInStep {
  constructor(private readonly secondFactor: SecondFactor) {}

  async check(attempt: SignInAttempt, manager: EntityManager): Promise<StepVerdict> {
    if (attempt.account.twoFactorEnabledAt === null || attempt.firstFactor !== 'password') return { ok: true };
    if (attempt.otp === undefined)
      return this.refuse(attempt, attempt.purpose === 'step-up', 'a second-factor code is required');
    const kind = await this.secondFactor.accept(manager, attempt.account, attempt.otp, attempt.address);
    if (kind === null) return this.refuse(attempt, true, 'the second-factor code is wrong or already used');
    return { ok: true, method: kind === 'totp' ? 'password+totp' : 'password+backup-code' };
  }

  private refuse(attempt: SignInAttempt, counts: boolean, message: string): StepVerdict {
    // 403 for a signed-in caller: a client that sees 401 throws its (still valid) token away.
    const kind = attempt.purpose === 'sign-in' ? 'unauthenticated' : 'forbidden';
    return {
      ok: false,
      error: new DomainError(kind, message, { fields: CODE_REQUIRED }),
      countsAsFailure: counts,
      stage: 'second-factor',
    };
  }
}
