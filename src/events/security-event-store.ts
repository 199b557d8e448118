import type { SecurityEvent } from './security-event';

/**
 * Where events that record a change are kept, in the change's own transaction (`manager` is the
 * one TransactionRunner.run handed over), so that no change goes unrecorded and no event records
 * a change that rolled back. The one place a stored audit log plugs in: SecurityEvents.recordIn
 * calls it before the transaction commits. None is bound today: events are log lines only.
 */
export abstract class SecurityEventStore {
  abstract storeIn(manager: object, event: SecurityEvent): Promise<void>;
}
