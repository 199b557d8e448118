import { type ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import { clientAddress } from './client-address';
import { RateLimitObserver, UNOBSERVED_RATE_LIMIT } from './rate-limit-observer';

/**
 * The per-address limit on sign-in and registration (RATE_LIMIT_PER_MINUTE). One counter per
 * address is shared by all four endpoints of both dialects, so switching dialect or endpoint
 * does not reset it. Runs as a guard, before the body is parsed into a DTO: malformed attempts
 * count too.
 */
@Injectable()
export class SignInRateGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Optional() private readonly observer: RateLimitObserver = UNOBSERVED_RATE_LIMIT,
  ) {
    super(options, storage, reflector);
  }

  /** A sign-in refused by the per-address budget has no security event of its own: told here. */
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    this.observer.rateLimited();
    await super.throwThrottlingException(context, detail);
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return clientAddress(request as unknown as Request);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `sign-in:${name}:${tracker}`;
  }
}
