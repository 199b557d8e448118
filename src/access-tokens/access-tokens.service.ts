import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { ScopeCatalog } from '../auth/scope-catalog';
import { StepUp } from '../auth/step-up';
import { parseDuration } from '../config/duration';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import { SecurityEvents } from '../events/security-events';
import type { Session } from '../tokens/session';
import { SessionRevoker } from '../tokens/session-revoker';
import { isPrintableName } from '../tokens/printable';
import { TokenStore } from '../tokens/token-store';
import { AccessTokensConfig } from './access-tokens.config';
import type { AccessTokenView, CreateAccessTokenDto } from './dto/access-tokens.dto';

/** An access token's lifetime when the request names none (CONTRACT section 21). */
const DEFAULT_TTL = '30d';
/** The longest name, in characters (code points). */
const NAME_MAX = 64;

const iso = (ms: number): string => new Date(ms).toISOString();
const invalid = (message: string): DomainError => new DomainError('invalid', message);

/**
 * Access tokens for programs (CONTRACT section 21): made by a signed-in person who gives the
 * password again (and the second factor, StepUp), kept as rows of the tokens table (so every
 * revoke-all path, the session cache and the revocation bus treat them as any token), and
 * revoked through SessionRevoker like every token.
 */
@Injectable()
export class AccessTokensService {
  constructor(
    private readonly tokens: TokenStore,
    private readonly accounts: AccountsService,
    private readonly stepUp: StepUp,
    private readonly revoker: SessionRevoker,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly catalog: ScopeCatalog,
    private readonly config: AccessTokensConfig,
  ) {}

  /**
   * Checks the request (400), then the password and second factor (403, counted as a failed
   * sign-in), then issues the token in a transaction that locks the account row, as a sign-in
   * does, so that no token survives a concurrent password change or deletion.
   */
  async create(
    caller: Session,
    body: CreateAccessTokenDto,
    password: string,
    origin: { client: string | null; address: string },
  ): Promise<{ token: string; id: string }> {
    const name = this.checkName(body.name);
    const scopes = this.checkScopes(body.scopes);
    const ttlMs = this.checkTtl(body.expiresIn);
    await this.stepUp.confirm(caller, password, body.otp, origin.address);
    const issued = await this.transactions.run(async (manager) => {
      if (!(await this.accounts.lockForUpdate(manager, caller.accountId))) return null;
      const token = await this.tokens.issueAccess(manager, caller.accountId, {
        name,
        scopes,
        ttlMs,
        origin: { client: origin.client, address: origin.address, secondFactor: caller.secondFactor },
      });
      await this.events.recordIn(manager, {
        event: 'access-token.created',
        accountId: caller.accountId,
        login: caller.login,
        address: origin.address,
        client: origin.client,
        id: token.id,
        name,
        scopes: scopes.join(' '),
        expiresAt: iso(token.expiresAt),
      });
      return token;
    });
    // Deleted meanwhile by another call: the caller's token went with it.
    if (!issued) throw new DomainError('unauthenticated', 'the token is invalid, expired or revoked');
    return { token: issued.token, id: issued.id };
  }

  /** The account's live access tokens, newest first (never the token). */
  async list(caller: Session): Promise<AccessTokenView[]> {
    const rows = await this.tokens.listAccess(caller.accountId);
    return rows.map((row) => ({
      id: row.publicId,
      name: row.name ?? '',
      scopes: (row.scopes ?? '').split(' ').filter((s) => s !== ''),
      createdAt: iso(row.createdAt),
      lastUsedAt: row.lastUsedAt === null ? null : iso(row.lastUsedAt),
      expiresAt: iso(row.expiresAt),
    }));
  }

  /** Revokes one of the account's access tokens (cause `access-token`); 404 for anything else. */
  async revoke(caller: Session, id: string, address: string): Promise<void> {
    const revoked = await this.transactions.run(async (manager) => {
      const row = await this.tokens.findLiveSession(manager, caller.accountId, id);
      if (row?.kind !== 'access') return 0;
      const account = { id: caller.accountId, login: caller.login };
      return this.revoker.revoke(manager, account, { token: row.id }, 'access-token', { address });
    });
    if (revoked === 0) throw new DomainError('not-found', 'the account has no live access token with this id');
  }

  private checkName(name: string): string {
    if (!isPrintableName(name, NAME_MAX)) throw invalid(`name must be 1 to ${NAME_MAX} printable characters`);
    return name;
  }

  private checkScopes(scopes: string[]): string[] {
    if (scopes.length === 0) throw invalid('scopes must name at least one scope');
    for (const scope of scopes) {
      if (!this.catalog.has(scope))
        throw invalid(`scopes: "${scope.slice(0, 64)}" is not a scope; known: ${this.catalog.all().join(', ')}`);
    }
    return [...new Set(scopes)];
  }

  /** The lifetime asked for; without one, 30 days, or ACCESS_TOKEN_MAX_TTL when that is shorter. */
  private checkTtl(expiresIn: string | undefined): number {
    const max = this.config.ACCESS_TOKEN_MAX_TTL;
    if (expiresIn === undefined) return Math.min(parseDuration(DEFAULT_TTL)!, max);
    const text = expiresIn;
    const ms = /^\s|\s$/.test(text) ? null : parseDuration(text);
    if (ms === null || ms < 1000 || ms > max)
      throw invalid(
        `expiresIn must be a number of seconds or a number with a unit s, m, h or d, from 1s to ${max / 1000}s (ACCESS_TOKEN_MAX_TTL)`,
      );
    return ms;
  }
}
