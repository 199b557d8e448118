import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, MoreThan, Not, type Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { isSessionIdShaped, newSessionId } from './session-id';
import { Token } from './token.entity';
import { generateAccessToken, generateToken, hashToken, isTokenShaped } from './token-secret';

/** Rows per statement when checking live tokens. */
const BATCH = 500;

/** Where a token was signed in from: the client label and address (null when unknown). */
export interface SessionOrigin {
  client: string | null;
  address: string | null;
  /** How the session was signed in: `password`, what a sign-in step named, `registration`, `recovery`. */
  method?: string;
  /**
   * Whether the token satisfies TWO_FACTOR=required; by default, whether `method` is one of a
   * two-factor sign-in (SECOND_FACTOR_METHODS).
   */
  secondFactor?: boolean;
}

/** The sign-in methods that proved a second factor (or needed none beside a passkey). */
export const SECOND_FACTOR_METHODS: ReadonlySet<string> = new Set(['password+totp', 'password+backup-code', 'passkey']);

/** The session `method` of an access token (section 18). */
export const ACCESS_TOKEN_METHOD = 'access-token';

/** Which of an account's tokens a revocation takes (SessionRevoker). */
export type RevocationTarget =
  /** Every token of the account. */
  | 'all'
  /** Every token but this one (the caller's own). */
  | { except: number }
  /** This one token. */
  | { token: number }
  /** These tokens (rows read in the same transaction). */
  | { tokens: readonly number[] };

/**
 * The token rows: issuing, reading and deleting them. Rows are found by the token's hash or the
 * session's public id, never by the token; deletes happen in the caller's transaction, through
 * SessionRevoker, which announces and records them once it commits.
 */
@Injectable()
export class TokenStore {
  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Creates a token for the account inside the caller's transaction and returns it (the one
   * time it exists outside the client). `origin` records where it was signed in from, for the
   * account's list of sessions.
   */
  async issue(manager: EntityManager, accountId: number, origin: SessionOrigin): Promise<string> {
    const token = generateToken();
    const now = this.clock.now();
    await manager.getRepository(Token).insert({
      tokenHash: hashToken(token),
      publicId: newSessionId(),
      accountId,
      createdAt: now,
      expiresAt: now + this.config.tokenTtlMs,
      client: origin.client,
      address: origin.address,
      method: origin.method ?? null,
      secondFactor: origin.secondFactor ?? SECOND_FACTOR_METHODS.has(origin.method ?? ''),
    });
    return token;
  }

  /**
   * Creates an access token (section 21) for the account inside the caller's transaction: named,
   * with the given scopes, valid for `ttlMs`, listed as a session with method `access-token`.
   * Returns the token (the one time it exists outside the client) and its session id.
   */
  async issueAccess(
    manager: EntityManager,
    accountId: number,
    grant: { name: string; scopes: readonly string[]; ttlMs: number; origin: SessionOrigin },
  ): Promise<{ token: string; id: string; createdAt: number; expiresAt: number }> {
    const token = generateAccessToken();
    const now = this.clock.now();
    const row = {
      tokenHash: hashToken(token),
      publicId: newSessionId(),
      accountId,
      createdAt: now,
      expiresAt: now + grant.ttlMs,
      client: grant.origin.client,
      address: grant.origin.address,
      method: ACCESS_TOKEN_METHOD,
      // TWO_FACTOR=required: made by a caller who proved the account's second factor, if it has one.
      secondFactor: grant.origin.secondFactor ?? false,
      kind: 'access' as const,
      name: grant.name,
      scopes: grant.scopes.join(' '),
    };
    await manager.getRepository(Token).insert(row);
    return { token, id: row.publicId, createdAt: now, expiresAt: row.expiresAt };
  }

  /** The account's unexpired access tokens, newest first. */
  listAccess(accountId: number): Promise<Token[]> {
    return this.tokens.find({
      where: { accountId, kind: 'access', expiresAt: MoreThan(this.clock.now()) },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  /** The unexpired row of `token` as the caller's transaction sees it, or null (found by its hash). */
  findLive(manager: EntityManager, token: string): Promise<Token | null> {
    if (!isTokenShaped(token)) return Promise.resolve(null);
    return manager
      .getRepository(Token)
      .findOneBy({ tokenHash: hashToken(token), expiresAt: MoreThan(this.clock.now()) });
  }

  /** The account's unexpired row whose session id is `publicId`, in the caller's transaction, or null. */
  findLiveSession(manager: EntityManager, accountId: number, publicId: string): Promise<Token | null> {
    // No such session can have another shape; and PostgreSQL refuses a NUL byte in a parameter.
    if (!isSessionIdShaped(publicId)) return Promise.resolve(null);
    return manager.getRepository(Token).findOneBy({ publicId, accountId, expiresAt: MoreThan(this.clock.now()) });
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

  /** Deletes the account's tokens that `which` names, inside the caller's transaction; returns their ids. */
  async deleteOf(manager: EntityManager, accountId: number, which: RevocationTarget): Promise<number[]> {
    const repo = manager.getRepository(Token);
    if (which !== 'all' && 'token' in which) {
      const { affected } = await repo.delete({ accountId, id: which.token });
      return affected ? [which.token] : [];
    }
    if (which !== 'all' && 'tokens' in which && which.tokens.length === 0) return [];
    const where =
      which === 'all'
        ? { accountId }
        : 'except' in which
          ? { accountId, id: Not(which.except) }
          : { accountId, id: In([...which.tokens]) };
    const ids = (await repo.find({ select: { id: true }, where })).map((t) => t.id);
    if (ids.length > 0) await repo.delete(where);
    return ids;
  }

  /** Marks the token as satisfying TWO_FACTOR=required (its account just enabled two-factor), in the caller's transaction. */
  async markSecondFactor(manager: EntityManager, tokenId: number): Promise<void> {
    await manager.getRepository(Token).update({ id: tokenId }, { secondFactor: true });
  }

  /** Deletes the given rows inside the caller's transaction (a sweep's batch, read in it). */
  async deleteRows(manager: EntityManager, ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await manager.getRepository(Token).delete({ id: In([...ids]) });
  }
}
