import type { SecurityEvent } from './security-event';

/**
 * Where security events are kept (the audit log, src/audit). SecurityEvents hands every event
 * it records to it, when one is bound:
 *
 * - `storeIn` for an event that records a change, in the change's own transaction (`manager` is
 *   the one TransactionRunner.run handed over), before the transaction commits: so no change
 *   goes unrecorded and no event records a change that rolled back;
 * - `enqueue` for an event that records none (a sign-in's outcome, a lockout): kept in memory
 *   and written soon after, in batches, never a write of its own on the request's path.
 *
 * Events declared by added modules come the same way: the store keeps any event, whatever its
 * name and details.
 */
export abstract class SecurityEventStore {
  abstract storeIn(manager: object, event: SecurityEvent): Promise<void>;
  abstract enqueue(event: SecurityEvent): void;
}
