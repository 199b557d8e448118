import { Injectable, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { RevocationBus } from './revocation-bus';
import { type Session, sessionState, type SessionTimes } from './session';
import { SessionCache } from './session-cache';
import { TokenCheckObserver, UNOBSERVED_TOKEN_CHECKS } from './token-check-observer';
import { Token } from './token.entity';
import { TokenUseRecorder } from './token-use-recorder';
import { hashToken, isTokenShaped } from './token-secret';
import { parseScopes } from './scopes';

/** A check older than this is made again: the bound on how late an outside revocation is seen. */
const CACHE_MAX_AGE_MS = 750;
const CACHE_MAX_ENTRIES = 50_000;

/**
 * The token check, the hot path of every authenticated request and socket handshake: the
 * session a token stands for, from a short-lived cache or one shared database lookup. It forgets
 * a token the moment a revocation is announced on the RevocationBus (this instance's, or every
 * instance's with REDIS_URL).
 */
@Injectable()
export class TokenVerifier implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new SessionCache(CACHE_MAX_ENTRIES, CACHE_MAX_AGE_MS);
  /** Lookups under way, so that concurrent requests with one token share a query. */
  private readonly lookups = new Map<string, { generation: number; session: Promise<Session | null> }>();
  private unsubscribe?: () => void;

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly revocations: RevocationBus,
    private readonly uses: TokenUseRecorder,
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
    /** Absent in the owner's command line, which checks no tokens. */
    @Optional() private readonly checks: TokenCheckObserver = UNOBSERVED_TOKEN_CHECKS,
  ) {}

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
      twoFactor: row.account.twoFactorEnabledAt !== null,
      method: row.method,
      secondFactor: row.secondFactor,
      kind: row.kind,
      scopes: row.scopes === null ? null : parseScopes(row.scopes),
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
  isLive(session: SessionTimes, now: number = this.clock.now()): boolean {
    return sessionState(session, now, this.config.tokenIdleTtlMs) === 'live';
  }

  /**
   * Forgets what this instance remembers of the account's tokens, without revoking them: the
   * account or its tokens changed (two-factor turned on or off), and the next check reads them
   * afresh. Other instances see the change within CACHE_MAX_AGE_MS.
   */
  forgetAccount(accountId: number): void {
    this.cache.forgetAccount(accountId);
  }

  onModuleInit(): void {
    // Every revocation, announced by this process or (on a shared bus) another, is forgotten at once.
    this.unsubscribe = this.revocations.subscribe((event) => this.cache.forgetTokens(event.tokenIds));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
