import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { Clock } from '../clock/clock';
import type { EntryPoint, SecurityEvent, SecurityEventInput, SecurityEventName } from './security-event';

/** Where the one JSON line per event goes: stdout for the server, stderr for the owner's tools. */
export type SecurityLogSink = (line: string) => void;

export const SECURITY_LOG_SINK = Symbol('SECURITY_LOG_SINK');
export const SECURITY_ENTRY_POINT = Symbol('SECURITY_ENTRY_POINT');

/**
 * Records a security event: one JSON line to the log, then the same object to in-process
 * listeners (see OnSecurityEvent). Listeners run after the current request has moved on, so a
 * listener that throws, rejects or never settles cannot fail or delay it.
 */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SecurityEvents');

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly clock: Clock,
    @Inject(SECURITY_LOG_SINK) private readonly sink: SecurityLogSink,
    @Inject(SECURITY_ENTRY_POINT) private readonly via: EntryPoint | null,
  ) {}

  record(input: SecurityEventInput): SecurityEvent {
    const event: SecurityEvent = {
      ...input,
      address: input.address ?? null,
      at: new Date(this.clock.now()).toISOString(),
      ...(this.via ? { via: this.via } : {}),
    };
    this.sink(JSON.stringify(event));
    setImmediate(() => this.deliver(event));
    return event;
  }

  private deliver(event: SecurityEvent): void {
    try {
      this.emitter.emit(event.event, event);
    } catch (error) {
      this.logger.warn(`a listener of ${event.event} failed: ${(error as Error).message}`);
    }
  }
}

/**
 * Marks a provider method as a listener of one or more security events. It receives the
 * SecurityEvent; whatever it throws or rejects with is logged and otherwise ignored.
 *
 *     @OnSecurityEvent('sign-in.failed')
 *     async warn(event: SecurityEvent) { ... }
 */
export const OnSecurityEvent =
  (event: SecurityEventName | SecurityEventName[]): MethodDecorator =>
  (target, key, descriptor) => {
    // One listener per name: the emitter would read an array as one namespaced event path.
    for (const name of [event].flat())
      OnEvent(name, { async: true, promisify: true, suppressErrors: true })(target, key, descriptor);
    return descriptor;
  };
