import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { type DomainError, tooManyAttempts } from '../errors/domain-error';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { describeRedisError } from '../shared-store/shared-store-errors';
import { addressGroup } from './address-group';
import { clientAddress } from './client-address';
import { type AttemptWindow, MemoryLoginFailureStore } from './login-failure.store';
import { RedisLoginFailureStore } from './redis-login-failure.store';

/** Refused token checks are counted in fixed windows of this length (CONTRACT section 23). */
export const TOKEN_FAILURE_WINDOW_MS = 60_000;
/** Where an instance tells the others that an address went over the limit. */
const CHANNEL = 'token-failure-blocks';
/** Addresses blocked at once, at most; beyond that the oldest blocks are forgotten first. */
const MAX_BLOCKED = 100_000;
/** How often expired blocks are dropped, so that `blocking` goes false again soon after the last one ends. */
const PRUNE_EVERY_MS = 1_000;

interface BlockMessage {
  /** The instance that blocked it, which needs no telling. */
  origin: string;
  /** The address group (address-group.ts). */
  group: string;
  /** Milliseconds the block has left. */
  ms: number;
}

/**
 * TOKEN_FAILURES_PER_MINUTE (CONTRACT section 23): token checks refused (unknown, malformed,
 * expired, revoked) are counted per client address (IPv6 per /64) in fixed one-minute windows,
 * REST and socket handshakes together. Once an address has had that many in a window, every
 * further request of it that carries a token, to a route of level optional or required, and every
 * handshake with a token, is refused with 429 (`Too Many Requests`) until the window ends: no
 * token of it is looked up any more, so a flood of guessed tokens stops costing the database.
 *
 * The check a request pays is a read of this instance's set of blocked addresses, in memory:
 * while no address is blocked, one Map size, no allocation and no Redis round trip; only a
 * refusal is counted, in the store. The counts are the fixed windows of LoginFailureStore, in
 * memory, or with REDIS_URL in Redis (one count across the instances): the instance whose count
 * reaches the limit blocks the address and publishes the block, and the others block it as the
 * message arrives. A request already under way when the limit is reached (on this instance, or
 * elsewhere before the message came) still gets its 401: in-flight requests may pass the limit
 * by their number, no more.
 *
 * Counting is best effort. While Redis cannot be reached a refusal is still a 401 (never a
 * 503: a client that sees 401 throws its token away, and one that sees 503 retries), and this
 * instance counts in its own memory meanwhile, so that cutting Redis off does not lift the
 * limit: each instance then allows the limit on its own. One warning when Redis fails, one line
 * when it is back.
 */
@Injectable()
export class TokenFailureLimiter implements OnModuleInit {
  private readonly logger = new Logger('Limits');
  /** Blocked address groups and when each block ends (epoch ms, this instance's clock). */
  private readonly blockedUntil = new Map<string, number>();
  private pruneAt = 0;
  private readonly local: MemoryLoginFailureStore;
  private readonly sharedCounts: RedisLoginFailureStore | null;
  private readonly origin = randomUUID();
  private sharedFailing = false;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(SHARED_STORE) private readonly shared: SharedStore | null,
  ) {
    this.local = new MemoryLoginFailureStore(clock);
    this.sharedCounts = shared ? new RedisLoginFailureStore(shared, clock, 'token-failures') : null;
  }

  async onModuleInit(): Promise<void> {
    if (this.shared && this.config.tokenFailuresPerMinute > 0)
      await this.shared.subscribe(CHANNEL, (text) => this.receive(text));
  }

  /**
   * Throws 429 (with Retry-After) when the request's client address is blocked. While no address
   * is, it reads one Map size and returns: the guard calls it on every request with a token.
   */
  checkRequest(request: Request): void {
    if (this.blockedUntil.size === 0) return;
    const seconds = this.retryAfter(clientAddress(request));
    if (seconds > 0) throw tooManyTokenFailures(seconds);
  }

  /** Whether some address is blocked (or was a moment ago): while none is, nobody's address need be read. */
  get blocking(): boolean {
    return this.blockedUntil.size > 0;
  }

  /** Counts a refused token check of the request's client address. */
  countRequest(request: Request): void {
    if (this.config.tokenFailuresPerMinute > 0) this.refused(clientAddress(request));
  }

  /** Seconds until `address` may present tokens again; 0 when it may now. */
  retryAfter(address: string): number {
    if (this.blockedUntil.size === 0) return 0;
    const now = this.clock.now();
    if (now >= this.pruneAt) this.prune(now);
    const group = addressGroup(address);
    const until = this.blockedUntil.get(group);
    if (until === undefined) return 0;
    if (until > now) return Math.max(1, Math.ceil((until - now) / 1000));
    this.blockedUntil.delete(group);
    return 0;
  }

  /** Counts one refused token check of `address`. Returns at once; never throws. */
  refused(address: string): void {
    if (this.config.tokenFailuresPerMinute === 0) return;
    void this.count(addressGroup(address));
  }

  private async count(group: string): Promise<void> {
    const { window, shared } = await this.increment(group);
    const limit = this.config.tokenFailuresPerMinute;
    if (window.count < limit) return;
    const ms = window.resetAt - this.clock.now();
    this.block(group, ms);
    // Exactly one increment reaches the limit: that instance tells the others.
    if (shared && window.count === limit) this.publish(group, ms);
  }

  /** The count in Redis when it answers, else in this instance's memory. */
  private async increment(group: string): Promise<{ window: AttemptWindow; shared: boolean }> {
    if (this.sharedCounts) {
      try {
        const window = await this.sharedCounts.increment(group, TOKEN_FAILURE_WINDOW_MS);
        if (this.sharedFailing) this.logger.log('refused token checks are counted in Redis again');
        this.sharedFailing = false;
        return { window, shared: true };
      } catch (error) {
        if (!this.sharedFailing)
          this.logger.warn(
            `could not count a refused token check in Redis (${describeRedisError(error)}); ` +
              'this instance counts them alone until Redis answers',
          );
        this.sharedFailing = true;
      }
    }
    return { window: await this.local.increment(group, TOKEN_FAILURE_WINDOW_MS), shared: false };
  }

  private block(group: string, ms: number): void {
    if (ms <= 0) return;
    this.blockedUntil.delete(group);
    this.blockedUntil.set(group, this.clock.now() + ms);
    // Map order is insertion order: the oldest block goes first.
    while (this.blockedUntil.size > MAX_BLOCKED) this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
  }

  private prune(now: number): void {
    this.pruneAt = now + PRUNE_EVERY_MS;
    for (const [group, until] of this.blockedUntil) if (until <= now) this.blockedUntil.delete(group);
  }

  private publish(group: string, ms: number): void {
    const message: BlockMessage = { origin: this.origin, group, ms };
    this.shared!.publish(CHANNEL, JSON.stringify(message)).catch((error: unknown) => {
      this.logger.warn(
        `could not tell the other instances about a blocked address (${describeRedisError(error)}); ` +
          'they block it at their next refused check',
      );
    });
  }

  private receive(text: string): void {
    const message = parseBlock(text);
    if (message && message.origin !== this.origin) this.block(message.group, message.ms);
  }
}

/** One 429 per Retry-After value, made once: a flood of refusals need not capture a stack trace each. */
const refusals = new Map<number, DomainError>();

/** The 429 of a blocked address (Retry-After in seconds, 1 to 60). */
export function tooManyTokenFailures(seconds: number): DomainError {
  let refusal = refusals.get(seconds);
  if (!refusal)
    refusals.set(seconds, (refusal = tooManyAttempts('too many refused tokens from this address', seconds)));
  return refusal;
}

/** The message, or null for anything that is not a well-formed one (it is ignored). */
function parseBlock(text: string): BlockMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const { origin, group, ms } = (value ?? {}) as Partial<Record<keyof BlockMessage, unknown>>;
  if (typeof origin !== 'string' || typeof group !== 'string' || group.length > 64) return null;
  if (typeof ms !== 'number' || !(ms > 0 && ms <= TOKEN_FAILURE_WINDOW_MS)) return null;
  return { origin, group, ms };
}
