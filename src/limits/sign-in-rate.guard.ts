import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { clientAddress } from './client-address';

/**
 * The per-address limit on sign-in and registration (RATE_LIMIT_PER_MINUTE). One counter per
 * address is shared by all four endpoints of both dialects, so switching dialect or endpoint
 * does not reset it. Runs as a guard, before the body is parsed into a DTO: malformed attempts
 * count too.
 */
@Injectable()
export class SignInRateGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return clientAddress(request as unknown as Request);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `sign-in:${name}:${tracker}`;
  }
}
