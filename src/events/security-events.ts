import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { Clock } from '../clock/clock';
import { afterCommit } from './after-commit';
import type {
  EntryPoint,
  ModuleEventName,
  SecurityEvent,
  SecurityEventInput,
  SecurityEventName,
} from './security-event';
import { SecurityEventStore } from './security-event-store';

/** Where the one JSON line per event goes: stdout for the server, stderr for the owner's tools. */
export type SecurityLogSink = (line: string) => void;

export const SECURITY_LOG_SINK = Symbol('SECURITY_LOG_SINK');
export const SECURITY_ENTRY_POINT = Symbol('SECURITY_ENTRY_POINT');
/** Every name that may be recorded or listened to: Gatehouse's and those the modules declare. */
export const SECURITY_EVENT_NAMES_KNOWN = Symbol('SECURITY_EVENT_NAMES_KNOWN');

/**
 * Records security events: one JSON line to the log, then the same object to in-process
 * listeners (see OnSecurityEvent). Listeners run after the current request has moved on, so a
 * listener that throws, rejects or never settles cannot fail or delay it.
 *
 * - `record` for what changed nothing (a sign-in's outcome, a lockout): written at once, and
 *   queued for the stored audit log (SecurityEventStore.enqueue).
 * - `recordIn` for what records a change, inside the change's transaction: stored with the
 *   change, written once the transaction has committed, never for one that rolled back.
 */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SecurityEvents');

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly clock: Clock,
    @Inject(SECURITY_LOG_SINK) private readonly sink: SecurityLogSink,
    @Inject(SECURITY_ENTRY_POINT) private readonly via: EntryPoint | null,
    @Inject(SECURITY_EVENT_NAMES_KNOWN) private readonly known: ReadonlySet<string>,
    @Optional() private readonly store?: SecurityEventStore,
  ) {}

  record(input: SecurityEventInput): SecurityEvent {
    const event = this.complete(input);
    this.publish(event);
    this.store?.enqueue(event);
    return event;
  }

  /**
   * Records an event of a change made in the transaction of `manager` (from
   * TransactionRunner.run): it is stored with the change (SecurityEventStore) and written and
   * delivered once the transaction has committed.
   */
  async recordIn(manager: object, input: SecurityEventInput): Promise<SecurityEvent> {
    const event = this.complete(input);
    if (this.store) await this.store.storeIn(manager, event);
    afterCommit(manager, () => this.publish(event));
    return event;
  }

  private complete(input: SecurityEventInput): SecurityEvent {
    if (!this.known.has(input.event)) throw new Error(`security event "${input.event}" is not declared by any module`);
    return {
      ...input,
      address: input.address ?? null,
      at: new Date(this.clock.now()).toISOString(),
      ...(this.via ? { via: this.via } : {}),
    };
  }

  private publish(event: SecurityEvent): void {
    this.sink(JSON.stringify(event));
    setImmediate(() => this.deliver(event));
  }

  private deliver(event: SecurityEvent): void {
    try {
      this.emitter.emit(event.event, event);
    } catch (error) {
      this.logger.warn(`a listener of ${event.event} failed: ${(error as Error).message}`);
    }
  }
}

/** The names a method listens to, read by the boot check (SecurityEventListeners). */
export const SECURITY_EVENT_LISTENER = 'gatehouse:security-event-listener';

/**
 * Marks a provider method as a listener of one or more security events, Gatehouse's or a
 * module's own (declared with `@GatehouseModule({ events })`; listening to a name nobody
 * declares stops the start). It receives the SecurityEvent; whatever it throws or rejects with
 * is logged and otherwise ignored.
 *
 *     @OnSecurityEvent('sign-in.failed')
 *     async warn(event: SecurityEvent) { ... }
 */
export const OnSecurityEvent =
  (event: SecurityEventName | ModuleEventName | (SecurityEventName | ModuleEventName)[]): MethodDecorator =>
  (target, key, descriptor) => {
    const names = [event].flat();
    Reflect.defineMetadata(SECURITY_EVENT_LISTENER, names, descriptor.value as object);
    // One listener per name: the emitter would read an array as one namespaced event path.
    for (const name of names)
      OnEvent(name, { async: true, promisify: true, suppressErrors: true })(target, key, descriptor);
    return descriptor;
  };
