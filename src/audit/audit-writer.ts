import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseConnector } from '../database/database-connector';
import { TransactionRunner } from '../database/transaction-runner';
import { afterCommit } from '../events/after-commit';
import type { SecurityEvent } from '../events/security-event';
import { SecurityEventStore } from '../events/security-event-store';
import { PeriodicTask } from '../extension-points/periodic-task';
import { eraseAccount, goneAccounts, insertRows, ROWS_PER_INSERT } from './audit-rows';
import { erased, type LiveEvent, liveEventOf, newEventId, rowOf } from './stored-event';
import type { StoredEvent } from './stored-event.entity';

/** Events that record no change are written this often (by the server's BackgroundWork). */
export const FLUSH_MS = 1_000;
/** At most this many events wait in memory to be written; beyond it the oldest go. */
export const MAX_WAITING = 10_000;

/** Told of every event of an account as it is recorded: once committed, or at once for a queued one. */
export type RecordedListener = (event: LiveEvent) => void;

/**
 * The audit log's writing side (CONTRACT section 20), bound as the SecurityEventStore:
 *
 * - an event that records a change is inserted with the change, in its transaction; the event
 *   of an account's deletion first erases the account's login, addresses and client labels
 *   from its stored events, and is itself stored without them;
 * - an event that records none (a sign-in's outcome, a lockout) waits in memory and is written
 *   within a second, several hundred per statement, never a write of its own on the request's
 *   path; whatever still waits is written when the application stops, while the database is
 *   still open. An event of an account deleted meanwhile, here or on another instance, is
 *   stored erased (goneAccounts);
 * - the listeners (the account's sockets, the owner tools' relay) hear of each event of an
 *   account once it is certain.
 */
@Injectable()
export class AuditWriter extends SecurityEventStore implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private waiting: StoredEvent[] = [];
  private flushing?: Promise<void>;
  /** Events dropped because MAX_WAITING were waiting, since that was last reported. */
  private dropped = 0;
  private toldDropping = false;
  private readonly listeners = new Set<RecordedListener>();

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly database: DatabaseConnector,
  ) {
    super();
  }

  /** Calls `listener` with every event of an account from now on; returns what stops it. */
  onRecorded(listener: RecordedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many events wait to be written. */
  get backlog(): number {
    return this.waiting.length;
  }

  async storeIn(manager: object, event: SecurityEvent): Promise<void> {
    let row = rowOf(newEventId(), event);
    if (event.event === 'account.deleted' && row.accountId !== null) {
      await eraseAccount(manager as EntityManager, row.accountId);
      row = erased(row);
    }
    await insertRows(manager as EntityManager, [row]);
    afterCommit(manager, () => this.announce(row));
  }

  enqueue(event: SecurityEvent): void {
    const row = rowOf(newEventId(), event);
    this.wait([row]);
    this.announce(row);
  }

  /**
   * Writes what waits (joining a write under way instead of starting a second one). When the
   * write fails its events wait again, and it rejects: the periodic task reports the outage.
   */
  @PeriodicTask({ name: 'security-event flush', every: FLUSH_MS })
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.waiting.length === 0 || !this.database.isReady) return Promise.resolve();
    const rows = this.waiting;
    this.waiting = [];
    const progress = { written: 0 };
    this.flushing = this.write(rows, progress)
      .then(() => this.reportDropped())
      .catch((error: unknown) => {
        // What was not written goes back in front of what came meanwhile, the oldest first to
        // go if too many wait.
        const newer = this.waiting;
        this.waiting = [];
        this.wait([...rows.slice(progress.written), ...newer]);
        throw error;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  /** The last events are written while the database is still open (global modules close last). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flushing?.catch(() => undefined);
    while (this.waiting.length > 0) {
      const before = this.waiting.length;
      try {
        if (!this.database.isReady) throw new Error('the database is not open');
        await this.flush();
      } catch (error) {
        this.logger.warn(`${before} security event(s) could not be stored: ${(error as Error).message}`);
        return;
      }
    }
  }

  /** One transaction per batch, so that SQLite's one writer is never held long; counts what committed. */
  private async write(rows: StoredEvent[], progress: { written: number }): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const batch = rows.slice(i, i + ROWS_PER_INSERT);
      await this.transactions.run(async (manager) => {
        const ids = new Set(batch.flatMap((row) => (row.accountId === null ? [] : [row.accountId])));
        const gone = await goneAccounts(manager, [...ids]);
        await insertRows(
          manager,
          batch.map((row) => (row.accountId !== null && gone.has(row.accountId) ? erased(row) : row)),
        );
      });
      progress.written += batch.length;
    }
  }

  private wait(rows: StoredEvent[]): void {
    this.waiting.push(...rows);
    const over = this.waiting.length - MAX_WAITING;
    if (over <= 0) return;
    this.waiting.splice(0, over);
    this.dropped += over;
    if (!this.toldDropping) {
      this.toldDropping = true;
      this.logger.warn(
        `more than ${MAX_WAITING} security events wait to be stored: dropping the oldest until they can be written`,
      );
    }
  }

  private reportDropped(): void {
    if (this.dropped === 0) return;
    this.logger.warn(`${this.dropped} security event(s) were dropped unstored while the database could not take them`);
    this.dropped = 0;
    this.toldDropping = false;
  }

  private announce(row: StoredEvent): void {
    const live = liveEventOf(row);
    if (!live) return;
    for (const listener of this.listeners) {
      try {
        listener(live);
      } catch (error) {
        this.logger.warn(`could not pass on a security event: ${(error as Error).message}`);
      }
    }
  }
}
