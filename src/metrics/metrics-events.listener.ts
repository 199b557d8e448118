import { Injectable } from '@nestjs/common';
import type { SecurityEvent } from '../events/security-event';
import { OnSecurityEvent } from '../events/security-events';
import { Metrics } from './metrics';

/**
 * Counts from the security events, so that the counters say exactly what the security log
 * says: one sign-in outcome per `sign-in.*` event (a success by its `method` too), one registration per `account.registered`,
 * the tokens of each `token.revoked` by cause (its `count`, or one).
 */
@Injectable()
export class MetricsEventsListener {
  constructor(private readonly metrics: Metrics) {}

  @OnSecurityEvent('sign-in.succeeded')
  signedIn(event: SecurityEvent): void {
    this.metrics.signIn('ok');
    this.metrics.signedInBy(typeof event.method === 'string' ? event.method : 'password');
  }

  @OnSecurityEvent('sign-in.failed')
  failed(): void {
    this.metrics.signIn('failed');
  }

  @OnSecurityEvent('sign-in.locked-out')
  lockedOut(): void {
    this.metrics.signIn('locked');
  }

  @OnSecurityEvent('account.registered')
  registered(): void {
    this.metrics.registered();
  }

  @OnSecurityEvent('token.revoked')
  revoked(event: SecurityEvent): void {
    if (event.cause) this.metrics.revoked(event.cause, event.count ?? 1);
  }
}
