import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import type { Account } from '../accounts/account.entity';
import type { DomainError } from '../errors/domain-error';
import { RefusedAttempt } from '../limits/sign-in-limiter';

/** One sign-in (or step-up) whose first factor was just verified. */
export interface SignInAttempt {
  /** `sign-in`: a token is about to be issued; `step-up`: a signed-in caller proved the password again. */
  purpose: 'sign-in' | 'step-up';
  /** What was verified: the password (today), a passkey (later). */
  firstFactor: 'password' | 'passkey';
  /** The account as read for this attempt (at sign-in: under the row lock of the issuing transaction). */
  account: Account;
  /** The second-factor field of the call, when it has one. */
  otp?: string;
  /** The client address (section 9). */
  address: string;
  /** The client label of the session about to be issued, where known. */
  client: string | null;
}

/** What a step decides: go on (naming, if it likes, how the sign-in was made), or refuse. */
export type StepVerdict =
  | { ok: true; method?: string }
  | {
      ok: false;
      /** The answer, in the route's dialect: its status, message and extra body fields. */
      error: DomainError;
      /**
       * true: a failed sign-in (counted toward LOGIN_MAX_FAILURES, `sign-in.failed` written, with
       * `stage`); false: the attempt is taken back and nothing is written (a step not taken yet).
       */
      countsAsFailure: boolean;
      stage?: string;
    };

/**
 * A check between a verified first factor and the token being issued (a second factor, a
 * policy), also consulted when a signed-in caller gives the password again (step-up). Declare
 * it with `@SignInStep({ order })` on a provider of any module; steps run in ascending order and
 * the first refusal wins.
 */
export interface SignInStep {
  /**
   * Decides on the attempt inside a transaction: at sign-in the one that issues the token (after
   * the account row is locked), at step-up one of its own. Writes go through `manager`, and are
   * rolled back with a refusal.
   */
  check(attempt: SignInAttempt, manager: EntityManager): Promise<StepVerdict>;
}

const SIGN_IN_STEP = 'gatehouse:sign-in-step';

export interface SignInStepOptions {
  /** Lower runs first; steps of equal order run in the order their modules were loaded. */
  order: number;
}

/** Marks a provider as a sign-in step (see the SignInStep interface). */
export const SignInStep =
  (options: SignInStepOptions): ClassDecorator =>
  (target) =>
    Reflect.defineMetadata(SIGN_IN_STEP, options, target);

/** The steps of the application, found among every module's providers at start-up, in order. */
@Injectable()
export class SignInSteps implements OnModuleInit {
  private steps: SignInStep[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const found = new Map<object, { step: SignInStep; order: number }>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as SignInStep | undefined;
      if (!instance || typeof instance !== 'object' || found.has(instance)) continue;
      const options = Reflect.getMetadata(SIGN_IN_STEP, instance.constructor) as SignInStepOptions | undefined;
      if (!options) continue;
      if (typeof instance.check !== 'function')
        throw new Error(`sign-in step ${instance.constructor.name} has no check(attempt, manager) method`);
      found.set(instance, { step: instance, order: options.order });
    }
    // Array.prototype.sort is stable: equal orders keep the order of discovery.
    this.steps = [...found.values()].sort((a, b) => a.order - b.order).map((entry) => entry.step);
  }

  /** Whether any step is declared (step-up then needs no transaction of its own). */
  get any(): boolean {
    return this.steps.length > 0;
  }

  /**
   * Consults every step in order. Returns how the sign-in was made: the method the last step
   * named, else the first factor. Throws RefusedAttempt with the first refusal.
   */
  async run(attempt: SignInAttempt, manager: EntityManager): Promise<string> {
    let method: string = attempt.firstFactor;
    for (const step of this.steps) {
      const verdict = await step.check(attempt, manager);
      if (!verdict.ok) throw new RefusedAttempt(verdict.error, verdict.countsAsFailure, verdict.stage);
      if (verdict.method !== undefined) method = verdict.method;
    }
    return method;
  }
}
