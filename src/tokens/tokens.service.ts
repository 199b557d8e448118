import { Injectable, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, MoreThan, type Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { TransactionRunner } from '../database/transaction-runner';
import { RevocationBus } from './revocation-bus';
import { type Session, sessionState } from './session';
import { SessionCache } from './session-cache';
import { TokenCheckObserver, UNOBSERVED_TOKEN_CHECKS } from './token-check-observer';
import { Token } from './token.entity';
import { TokenUseRecorder } from './token-use-recorder';
import { newSessionId } from './session-id';
import { generateToken, hashToken, isTokenShaped } from './token-secret';

/** A check older than this is made again: the bound on how late an outside revocation is seen. */
const CACHE_MAX_AGE_MS = 750;
const CACHE_MAX_ENTRIES = 50_000;
/** Rows per statement when checking live tokens. */
const BATCH = 500;

export type RevokeOutcome = 'revoked' | 'unknown' | 'forbidden';

/** Where a token was signed in from: the client label and address (null when unknown). */
export interface SessionOrigin {
  client: string | null;
  address: string | null;
}

const NO_ORIGIN: SessionOrigin = { client: null, address: null };

@Injectable()
export class TokensService implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new SessionCache(CACHE_MAX_ENTRIES, CACHE_MAX_AGE_MS);
  /** Lookups under way, so that concurrent requests with one token share a query. */
  private readonly lookups = new Map<string, { generation: number; session: Promise<Session | null> }>();
  private unsubscribe?: () => void;

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly transactions: TransactionRunner,
    private readonly revocations: RevocationBus,
    private readonly uses: TokenUseRecorder,
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
    /** Absent in the owner's command line, which checks no tokens. */
    @Optional() private readonly checks: TokenCheckObserver = UNOBSERVED_TOKEN_CHECKS,
  ) {}

  /**
   * Creates a token for the account, inside the caller's transaction when one is given.
   * `origin` records where it was signed in from, for the account's list of sessions.
   */
  async issue(accountId: number, manager?: EntityManager, origin: SessionOrigin = NO_ORIGIN): Promise<string> {
    const token = generateToken();
    const now = this.clock.now();
    const row = {
      tokenHash: hashToken(token),
      publicId: newSessionId(),
      accountId,
      createdAt: now,
      expiresAt: now + this.config.tokenTtlMs,
      client: origin.client,
      address: origin.address,
    };
    if (manager) await manager.getRepository(Token).insert(row);
    else await this.transactions.run((m) => m.getRepository(Token).insert(row));
    return token;
  }

  /**
   * The one token check, shared by the HTTP guard and the socket.io handshake: the session a
   * token stands for, or null when it is unknown, expired or revoked. A database failure is
   * thrown, never reported as null: the caller must answer 503, not 401.
   */
  async authenticate(token: string): Promise<Session | null> {
    return this.checkToken(token);
  }

  /**
   * `authenticate` without a promise where none is needed: a token checked less than
   * `CACHE_MAX_AGE_MS` ago, or one that cannot be valid, is answered at once; only a token the
   * database must be asked about gives a promise. The guard uses it so that a hot token costs
   * no promise.
   */
  checkToken(token: string): Session | null | Promise<Session | null> {
    if (!isTokenShaped(token)) {
      this.checks.tokenCheck('refused');
      return null;
    }
    const tokenHash = hashToken(token);
    const now = this.clock.now();
    const cached = this.cache.get(tokenHash, now);
    if (!cached) return this.lookUpCounted(tokenHash, now);
    const live = this.isLive(cached, now);
    this.checks.tokenCheck(live ? 'cache' : 'refused');
    if (!live) return null;
    this.uses.record(cached, now);
    return cached;
  }

  private async lookUpCounted(tokenHash: string, now: number): Promise<Session | null> {
    const session = await this.lookUpShared(tokenHash, now);
    this.checks.tokenCheck(session ? 'database' : 'refused');
    return session;
  }

  /** The database lookup, one at a time per token: concurrent checks of a token share it. */
  private async lookUpShared(tokenHash: string, now: number): Promise<Session | null> {
    // Join a lookup of the same token already under way, unless something was revoked since it
    // started (it could then return a session revoked meanwhile).
    const generation = this.cache.generation;
    const pending = this.lookups.get(tokenHash);
    if (pending && pending.generation === generation) return pending.session;
    const session = this.lookUp(tokenHash, now, generation);
    this.lookups.set(tokenHash, { generation, session });
    try {
      return await session;
    } finally {
      if (this.lookups.get(tokenHash)?.session === session) this.lookups.delete(tokenHash);
    }
  }

  private async lookUp(tokenHash: string, now: number, generation: number): Promise<Session | null> {
    const row = await this.tokens
      .createQueryBuilder('t')
      .innerJoinAndSelect('t.account', 'a')
      .where('t.token_hash = :tokenHash', { tokenHash })
      .andWhere('t.expires_at > :now', { now })
      .getOne();
    if (!row?.account) return null;
    const session: Session = {
      tokenId: row.id,
      accountId: row.accountId,
      login: row.account.login,
      accountCreatedAt: row.account.createdAt,
      issuedAt: row.createdAt,
      expiresAt: row.expiresAt,
      lastUsedAt: row.lastUsedAt,
    };
    if (!this.isLive(session, now)) return null;
    this.cache.set(tokenHash, session, this.clock.now(), generation);
    this.uses.record(session, now);
    return session;
  }

  /**
   * Whether the session still stands at `now`: not expired, and not idle for TOKEN_IDLE_TTL
   * (sessionState, the one rule for REST, the handshake and the live-socket sweep).
   */
  isLive(session: Pick<Session, 'expiresAt' | 'lastUsedAt' | 'issuedAt'>, now: number = this.clock.now()): boolean {
    return sessionState(session, now, this.config.tokenIdleTtlMs) === 'live';
  }

  /**
   * Revokes `token` on behalf of `accountId`. Unknown and expired tokens are 'unknown' (the
   * caller treats revocation as idempotent); another account's token is left alone.
   */
  async revoke(token: string, accountId: number): Promise<RevokeOutcome> {
    if (!isTokenShaped(token)) return 'unknown';
    const tokenHash = hashToken(token);
    const outcome = await this.transactions.run(async (manager): Promise<RevokeOutcome | number> => {
      const repo = manager.getRepository(Token);
      const row = await repo.findOneBy({ tokenHash, expiresAt: MoreThan(this.clock.now()) });
      if (!row) return 'unknown';
      if (row.accountId !== accountId) return 'forbidden';
      await repo.delete({ id: row.id });
      return row.id;
    });
    if (typeof outcome === 'string') return outcome;
    this.announce([outcome], 'revoked');
    return 'revoked';
  }

  /** Revokes every token of the account; returns how many there were. */
  async revokeAll(accountId: number): Promise<number> {
    const ids = await this.transactions.run((manager) => this.deleteAllOf(accountId, manager));
    this.announceRevoked(ids);
    return ids.length;
  }

  /**
   * Deletes every token of the account inside the caller's transaction and returns their ids.
   * The caller announces them with announceRevoked once its transaction has committed, so that
   * no cache forgets (and re-reads) a token that a rollback would keep.
   */
  async deleteAllOf(accountId: number, manager: EntityManager): Promise<number[]> {
    const repo = manager.getRepository(Token);
    const ids = (await repo.find({ select: { id: true }, where: { accountId } })).map((t) => t.id);
    if (ids.length > 0) await repo.delete({ accountId });
    return ids;
  }

  announceRevoked(tokenIds: number[]): void {
    this.announce(tokenIds, 'revoked');
  }

  /** The account's unexpired tokens, newest first (rows only: a token cannot be recovered). */
  listLive(accountId: number): Promise<Token[]> {
    return this.tokens.find({
      where: { accountId, expiresAt: MoreThan(this.clock.now()) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  /** Of the given token ids, those still valid: one query per batch of ids. */
  async stillValid(tokenIds: number[]): Promise<Set<number>> {
    const valid = new Set<number>();
    const now = this.clock.now();
    for (let i = 0; i < tokenIds.length; i += BATCH) {
      const rows = await this.tokens.find({
        select: { id: true },
        where: { id: In(tokenIds.slice(i, i + BATCH)), expiresAt: MoreThan(now) },
      });
      for (const row of rows) valid.add(row.id);
    }
    return valid;
  }

  /**
   * Tells the bus, which tells this process's listeners before publish returns: the cache
   * (subscribed in onModuleInit, which also hears other instances on a shared bus) forgets the
   * tokens at once, and the socket revoker drops their sockets.
   */
  announce(tokenIds: number[], reason: 'revoked' | 'expired'): void {
    if (tokenIds.length === 0) return;
    this.revocations.publish({ tokenIds, reason });
  }

  onModuleInit(): void {
    this.unsubscribe = this.revocations.subscribe((event) => this.cache.forgetTokens(event.tokenIds));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
