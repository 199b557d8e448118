import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, Optional } from '@nestjs/common';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { DatabaseConnector } from '../database/database-connector';
import { PeriodicTask } from '../extension-points/periodic-task';
import { RevocationBus, type RevocationEvent } from '../tokens/revocation-bus';
import { TokenStore } from '../tokens/token-store';
import { TokenUseRecorder } from '../tokens/token-use-recorder';
import { TokenVerifier } from '../tokens/token-verifier';
import { LiveSockets } from './live-sockets';
import { SocketSweepObserver, UNOBSERVED_SOCKET_SWEEPS } from './socket-sweep-observer';
import { planSweep, type SweepPlan } from './sweep-plan';

/** Distinct tokens checked per sweep (a few batched queries); beyond that, sweeps take turns. */
const MAX_TOKENS_PER_SWEEP = 10_000;
const MIN_SWEEP_PERIOD_MS = 50;

/**
 * How often the server sweeps live sockets: every half TOKEN_SWEEP_INTERVAL, so that a
 * revocation made just after one sweep read the table is still seen within the interval.
 */
export function liveSocketSweepPeriodMs(tokenSweepIntervalMs: number): number {
  return Math.max(MIN_SWEEP_PERIOD_MS, Math.floor(tokenSweepIntervalMs / 2));
}

/**
 * A socket lives no longer than its token.
 *
 * - Revocations announced on the RevocationBus (this process's API; with REDIS_URL also other
 *   instances' and the owner command line's) close the token's sockets at once.
 * - With TOKEN_IDLE_TTL, each sweep counts a connected socket as a use of its token, and drops the
 *   sockets of a token that went idle all the same (see idleOrInUse).
 * - A sweep catches the rest: tokens that expired (known from the session, no query) and tokens
 *   revoked by another process without a shared bus (or while Redis was unreachable), found with one
 *   batched TokenStore.stillValid query for all live sockets. The server runs it every
 *   liveSocketSweepPeriodMs (@PeriodicTask: lifecycle/background-work.ts, which also keeps
 *   sweeps from overlapping); while the database is not ready only the expiry part runs, and sockets are
 *   kept rather than dropped on a failed query.
 */
@Injectable()
export class SocketRevoker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private unsubscribe?: () => void;
  private cursor = 0;

  constructor(
    private readonly bus: RevocationBus,
    private readonly verifier: TokenVerifier,
    private readonly store: TokenStore,
    private readonly database: DatabaseConnector,
    private readonly live: LiveSockets,
    private readonly uses: TokenUseRecorder,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
    @Optional() private readonly observer: SocketSweepObserver = UNOBSERVED_SOCKET_SWEEPS,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.bus.subscribe((event) => this.onRevocation(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Runs inside the RevocationBus's publish: it must never throw into the revoking request. */
  private onRevocation(event: RevocationEvent): void {
    try {
      this.live.disconnectTokens(event.tokenIds, event.reason);
    } catch (error) {
      this.logger.error(`could not disconnect revoked sockets: ${(error as Error).message}`);
    }
  }

  /**
   * With TOKEN_IDLE_TTL: a connected socket is a use of its token, recorded here (at most once a
   * minute per token, by TokenUseRecorder); a token whose last use is older than the timeout
   * (time went by without a sweep, or the use was recorded elsewhere too late) is returned, for
   * its sockets to go as expired.
   */
  private idleOrInUse(now: number): number[] {
    if (this.config.tokenIdleTtlMs === null) return [];
    const idle: number[] = [];
    for (const session of this.live.tokenSessions()) {
      if (this.verifier.isLive(session, now)) this.uses.record(session, now);
      else idle.push(session.tokenId);
    }
    return idle;
  }

  /** Half TOKEN_SWEEP_INTERVAL (liveSocketSweepPeriodMs). */
  get periodMs(): number {
    return liveSocketSweepPeriodMs(this.config.tokenSweepIntervalMs);
  }

  /**
   * One sweep; a failed query rejects before any socket is dropped for it. A sweep that finds
   * sockets open tells the observer how long its synchronous parts (planning and dropping,
   * before and after the query) held the event loop; the query's own batches are not counted.
   */
  @PeriodicTask({
    name: 'live-socket sweep',
    every: (self: SocketRevoker) => self.periodMs,
  })
  async sweep(): Promise<void> {
    if (this.live.count() === 0) return;
    let started = performance.now();
    const plan = this.dropExpired(this.clock.now());
    let blockedMs = performance.now() - started;
    try {
      if (plan.check.length === 0 || !this.database.isReady) return;
      const valid = await this.store.stillValid(plan.check);
      started = performance.now();
      this.cursor = plan.cursor;
      this.live.disconnectTokens(
        plan.check.filter((id) => !valid.has(id)),
        'revoked',
      );
      blockedMs += performance.now() - started;
    } finally {
      this.observer.socketSweep(blockedMs / 1000);
    }
  }

  /** Drops the sockets of tokens known from memory to have expired or gone idle; plans the query. */
  private dropExpired(now: number): SweepPlan {
    this.live.disconnectTokens(this.idleOrInUse(now), 'expired');
    const plan = planSweep(
      this.live.tokenSessions(),
      (session) => this.verifier.isLive(session, now),
      this.cursor,
      MAX_TOKENS_PER_SWEEP,
    );
    this.live.disconnectTokens(plan.expired, 'expired');
    return plan;
  }
}
