import { Injectable } from '@nestjs/common';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { DatabaseConnector } from '../database/database-connector';
import { TransactionRunner } from '../database/transaction-runner';
import type { RevocationCause } from '../events/security-event';
import { SecurityEvents } from '../events/security-events';
import { RecoveryCodes } from '../recovery/recovery-codes';
import type { Token } from '../tokens/token.entity';
import { TokensService } from '../tokens/tokens.service';
import { generatePassword } from './generate-password';
import { OwnerError } from './owner-failure';

export interface AccountSummary {
  login: string;
  createdAt: number;
  /** When the owner locked it; null while it is not locked. */
  lockedAt: number | null;
  liveSessions: number;
  /** Expiry of an unused, unexpired recovery code; null when there is none. */
  recoveryCodeExpiresAt: number | null;
}

export interface ResetResult {
  login: string;
  revoked: number;
  /** Set only when the password was generated: the one time it can be shown. */
  generatedPassword?: string;
}

export interface SessionsResult {
  login: string;
  sessions: Token[];
}

export interface IssuedRecoveryCode {
  login: string;
  /** Shown once: only its hash is stored. */
  code: string;
  expiresAt: number;
}

/** `changed` false: the account already was in the asked state, and nothing was written. */
export interface LockResult {
  login: string;
  changed: boolean;
  revoked: number;
}

/**
 * The owner's operations, for the command line and the MCP server alike. Each one that changes
 * something records its security events once its transaction has committed (a failure records
 * none). The database is opened with a single attempt per operation: an unreachable one fails
 * at once instead of being retried as the server would, and is tried again next time.
 */
@Injectable()
export class OwnerService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokensService,
    private readonly codes: RecoveryCodes,
    private readonly transactions: TransactionRunner,
    private readonly database: DatabaseConnector,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async find(login: string): Promise<AccountSummary> {
    const account = await this.account(login);
    const [sessions, code] = await Promise.all([this.tokens.listLive(account.id), this.codes.live(account.id)]);
    return {
      login: account.login,
      createdAt: account.createdAt,
      lockedAt: account.lockedAt,
      liveSessions: sessions.length,
      recoveryCodeExpiresAt: code?.expiresAt ?? null,
    };
  }

  /** Sets a new password and revokes every token of the account, both or neither. */
  async resetPassword(login: string, password?: string): Promise<ResetResult> {
    const chosen = password ?? generatePassword(this.config.passwordMinLength);
    this.accounts.assertPasswordAllowed(chosen);
    const account = await this.account(login);
    // Hashed before the transaction opens: on SQLite it would hold every other writer.
    const passwordHash = await this.accounts.hashNewPassword(chosen);
    const revoked = await this.transactions.run(async (manager) => {
      await this.accounts.setPasswordHash(manager, account.id, passwordHash);
      return this.tokens.deleteAllOf(account.id, manager);
    });
    this.revoked(account, revoked, 'owner');
    this.events.record({ event: 'password.changed', accountId: account.id, login: account.login });
    return {
      login: account.login,
      revoked: revoked.length,
      generatedPassword: password === undefined ? chosen : undefined,
    };
  }

  /** Revokes every token of the account; returns how many there were. */
  async revokeTokens(login: string): Promise<{ login: string; revoked: number }> {
    const account = await this.account(login);
    const revoked = await this.transactions.run((manager) => this.tokens.deleteAllOf(account.id, manager));
    this.revoked(account, revoked, 'owner');
    return { login: account.login, revoked: revoked.length };
  }

  /** The account's unexpired tokens, newest first. */
  async sessions(login: string): Promise<SessionsResult> {
    const account = await this.account(login);
    return { login: account.login, sessions: await this.tokens.listLive(account.id) };
  }

  /** A new single-use recovery code, replacing any earlier one. Nothing else changes. */
  async issueRecoveryCode(login: string): Promise<IssuedRecoveryCode> {
    const account = await this.account(login);
    const { code, expiresAt } = await this.codes.issue(account.id);
    this.events.record({ event: 'recovery-code.issued', accountId: account.id, login: account.login });
    return { login: account.login, code, expiresAt };
  }

  /**
   * Refuses sign-in and recovery until unlock, and revokes every token, in one transaction. An
   * issued recovery code stays: it works again once the account is unlocked.
   */
  async lock(login: string): Promise<LockResult> {
    const account = await this.account(login);
    const { changed, revoked } = await this.transactions.run(async (manager) => ({
      changed: await this.accounts.setLock(manager, account.id, this.clock.now()),
      revoked: await this.tokens.deleteAllOf(account.id, manager),
    }));
    if (changed) this.events.record({ event: 'account.locked', accountId: account.id, login: account.login });
    this.revoked(account, revoked, 'lock');
    return { login: account.login, changed, revoked: revoked.length };
  }

  async unlock(login: string): Promise<LockResult> {
    const account = await this.account(login);
    const changed = await this.transactions.run((manager) => this.accounts.setLock(manager, account.id, null));
    if (changed) this.events.record({ event: 'account.unlocked', accountId: account.id, login: account.login });
    return { login: account.login, changed, revoked: 0 };
  }

  /** Deletes the account, its tokens and its recovery code, all or nothing; the login is free again. */
  async deleteAccount(login: string): Promise<{ login: string; revoked: number }> {
    const account = await this.account(login);
    const revoked = await this.transactions.run(async (manager) => {
      const ids = await this.tokens.deleteAllOf(account.id, manager);
      await this.codes.removeOf(manager, account.id);
      await this.accounts.remove(manager, account.id);
      return ids;
    });
    this.revoked(account, revoked, 'deletion');
    this.events.record({ event: 'account.deleted', accountId: account.id, login: account.login });
    return { login: account.login, revoked: revoked.length };
  }

  /** After the commit: drops the tokens' sockets and caches (on every instance, with REDIS_URL), one event for all. */
  private revoked(account: Account, tokenIds: number[], cause: RevocationCause): void {
    this.tokens.announceRevoked(tokenIds);
    if (tokenIds.length === 0) return;
    this.events.record({
      event: 'token.revoked',
      accountId: account.id,
      login: account.login,
      cause,
      count: tokenIds.length,
    });
  }

  /** The account signed in as `login` would be, under the same normalisation. */
  private async account(login: string): Promise<Account> {
    if (login === '') throw new OwnerError('login must not be empty', true);
    await this.database.connectOnce();
    const account = await this.accounts.findByLogin(login);
    if (!account) throw new OwnerError(`no account with login ${JSON.stringify(login)}`);
    return account;
  }
}
