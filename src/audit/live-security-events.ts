import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { DatabaseConnector } from '../database/database-connector';
import { PeriodicTask } from '../extension-points/periodic-task';
import { LiveSockets } from '../realtime/live-sockets';
import { liveSocketSweepPeriodMs } from '../realtime/socket-revoker';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { AuditWriter } from './audit-writer';
import { FailedSignInThrottle } from './failed-sign-in-throttle';
import { OWNER_EVENTS_CHANNEL } from './owner-event-relay';
import { type LiveEvent, liveEventOf } from './stored-event';
import { StoredEvent } from './stored-event.entity';

/**
 * How late an owner tool's event may reach the table (its time is taken before its transaction
 * commits, by the tool's clock) and still be found by the poll.
 */
const LOOKBACK_MS = 60_000;
/** Rows read per poll; more are read by the next one. */
const POLL_LIMIT = 500;
const ENTRY_POINTS = ['cli', 'mcp'];

/**
 * Every event of an account goes to the account's sockets as `security` (CONTRACT section 20),
 * at most one `sign-in.failed` per (account, address) a minute (FailedSignInThrottle):
 *
 * - events this server records, once certain (AuditWriter): through the rooms' adapter, so with
 *   REDIS_URL the sockets on every instance get them;
 * - events of the owner's tools, which have no sockets: published on Redis by the tool
 *   (OwnerEventRelay) and sent here to this instance's sockets; and, with or without Redis, found
 *   in the table by a poll every half TOKEN_SWEEP_INTERVAL (rows with `via`, with a lookback for
 *   rows that committed late), each sent once whichever way it came first.
 */
@Injectable()
export class LiveSecurityEvents implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Audit');
  private stopListening?: () => void;
  /** Owner tools' events already sent (or already there at start-up), by id, with their time. */
  private readonly seen = new Map<string, number>();
  /** The poll reads rows after this time; null until the first poll. */
  private since: number | null = null;

  constructor(
    private readonly writer: AuditWriter,
    private readonly live: LiveSockets,
    private readonly throttle: FailedSignInThrottle,
    @InjectRepository(StoredEvent) private readonly events: Repository<StoredEvent>,
    private readonly database: DatabaseConnector,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
    @Inject(SHARED_STORE) private readonly shared: SharedStore | null,
  ) {}

  onApplicationBootstrap(): void {
    this.stopListening = this.writer.onRecorded((event) => this.send(event, 'everywhere'));
    void this.shared?.subscribe(OWNER_EVENTS_CHANNEL, (message) => this.relayed(message));
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  /** Half TOKEN_SWEEP_INTERVAL, as the live-socket sweep. */
  get periodMs(): number {
    return liveSocketSweepPeriodMs(this.config.tokenSweepIntervalMs);
  }

  /** Sends the owner tools' events that reached the table since the last poll; the first poll only notes what is there. */
  @PeriodicTask({ name: 'owner-event poll', every: (self: LiveSecurityEvents) => self.periodMs })
  async poll(): Promise<void> {
    if (!this.database.isReady) return;
    const first = this.since === null;
    const from = this.since ?? this.clock.now() - LOOKBACK_MS;
    const rows = await this.events
      .createQueryBuilder('e')
      .where('e.via IN (:...via)', { via: ENTRY_POINTS })
      .andWhere('e.at > :from', { from })
      .orderBy('e.at')
      .addOrderBy('e.id')
      .limit(POLL_LIMIT)
      .getMany();
    for (const row of rows) {
      const event = liveEventOf(row);
      if (event && this.firstSight(event.id, row.at) && !first) this.send(event, 'here');
    }
    const newest = rows.length > 0 ? rows[rows.length - 1].at : null;
    // A full page: the next poll goes on from its end (what shares that millisecond is `seen`).
    this.since =
      newest === null ? from : rows.length === POLL_LIMIT ? newest - 1 : Math.max(from, newest - LOOKBACK_MS);
    for (const [id, at] of this.seen) if (at <= this.since) this.seen.delete(id);
  }

  private relayed(message: string): void {
    let event: LiveEvent;
    try {
      event = parseLiveEvent(message);
    } catch (error) {
      this.logger.warn(`ignored a malformed message on ${OWNER_EVENTS_CHANNEL}: ${(error as Error).message}`);
      return;
    }
    if (this.firstSight(event.id, Date.parse(event.payload.at))) this.send(event, 'here');
  }

  private firstSight(id: string, at: number): boolean {
    if (this.seen.has(id)) return false;
    this.seen.set(id, at);
    return true;
  }

  private send(event: LiveEvent, reach: 'everywhere' | 'here'): void {
    if (event.payload.event !== 'sign-in.failed') {
      this.live.sendSecurityEvent(event.accountId, event.payload, reach);
      return;
    }
    this.throttle.admit(event.accountId, event.payload.address).then(
      (admitted) => admitted && this.live.sendSecurityEvent(event.accountId, event.payload, reach),
      (error: unknown) => this.logger.warn(`could not send a security event: ${(error as Error).message}`),
    );
  }
}

const nullableString = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** A relayed event, checked field by field: it came over the network. */
function parseLiveEvent(message: string): LiveEvent {
  const value = JSON.parse(message) as Partial<LiveEvent> | null;
  const payload = value?.payload;
  if (
    typeof value?.id !== 'string' ||
    !Number.isSafeInteger(value.accountId) ||
    typeof payload?.event !== 'string' ||
    typeof payload.at !== 'string' ||
    Number.isNaN(Date.parse(payload.at)) ||
    !nullableString(payload.address) ||
    !nullableString(payload.client)
  )
    throw new Error('not an event');
  return {
    id: value.id,
    accountId: value.accountId!,
    payload: { event: payload.event, at: payload.at, address: payload.address, client: payload.client },
  };
}
