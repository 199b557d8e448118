import { Injectable } from '@nestjs/common';
import type { Account } from '../accounts/account.entity';
import { AccountLookup } from '../accounts/account-lookup';
import { AccountsService } from '../accounts/accounts.service';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { TransactionRunner } from '../database/transaction-runner';
import { SecurityEvents } from '../events/security-events';
import { OwnerCommand } from '../extension-points/owner-command';
import { RecoveryCodes } from '../recovery/recovery-codes';
import { SessionRevoker } from '../tokens/session-revoker';
import { TokenStore } from '../tokens/token-store';
import { TwoFactorStore } from '../two-factor/two-factor.store';
import { generatePassword } from './generate-password';
import {
  type AccountSummary,
  DELETE_ACCOUNT,
  FIND_ACCOUNT,
  type IssuedRecoveryCode,
  LOCK,
  type LockResult,
  RECOVERY_CODE,
  RESET_PASSWORD,
  RESET_TWO_FACTOR,
  type ResetResult,
  REVOKE_TOKENS,
  SESSIONS,
  type SessionsResult,
  type TwoFactorResetResult,
  UNLOCK,
} from './owner-commands';

/**
 * The owner's operations (CONTRACT section 8), each declared once for the command line and the
 * MCP server (@OwnerCommand, with the declarations of owner-commands.ts). Each one that changes
 * something records its security events in its transaction, written once it has committed (a
 * failure records none). The database is opened with a single attempt per operation
 * (AccountLookup): an unreachable one fails at once instead of being retried as the server
 * would, and is tried again next time.
 */
@Injectable()
export class OwnerService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly lookup: AccountLookup,
    private readonly tokens: TokenStore,
    private readonly revoker: SessionRevoker,
    private readonly codes: RecoveryCodes,
    private readonly twoFactor: TwoFactorStore,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  @OwnerCommand(FIND_ACCOUNT)
  async find(login: string): Promise<AccountSummary> {
    const account = await this.lookup.byLogin(login);
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
  @OwnerCommand(RESET_PASSWORD)
  async resetPassword(login: string, password?: string): Promise<ResetResult> {
    const chosen = password ?? generatePassword(this.config.passwordMinLength);
    this.accounts.assertPasswordAllowed(chosen);
    const account = await this.lookup.byLogin(login);
    // Hashed before the transaction opens: on SQLite it would hold every other writer.
    const passwordHash = await this.accounts.hashNewPassword(chosen);
    const revoked = await this.transactions.run(async (manager) => {
      await this.accounts.setPasswordHash(manager, account.id, passwordHash);
      const revoked = await this.revoker.revoke(manager, account, 'all', 'owner');
      await this.events.recordIn(manager, { event: 'password.changed', accountId: account.id, login: account.login });
      return revoked;
    });
    return { login: account.login, revoked, generatedPassword: password === undefined ? chosen : undefined };
  }

  /** Revokes every token of the account; returns how many there were. */
  @OwnerCommand(REVOKE_TOKENS)
  async revokeTokens(login: string): Promise<{ login: string; revoked: number }> {
    const account = await this.lookup.byLogin(login);
    const revoked = await this.transactions.run((manager) => this.revoker.revoke(manager, account, 'all', 'owner'));
    return { login: account.login, revoked };
  }

  /** The account's unexpired tokens, newest first. */
  @OwnerCommand(SESSIONS)
  async sessions(login: string): Promise<SessionsResult> {
    const account = await this.lookup.byLogin(login);
    return { login: account.login, sessions: await this.tokens.listLive(account.id) };
  }

  /** A new single-use recovery code, replacing any earlier one. Nothing else changes. */
  @OwnerCommand(RECOVERY_CODE)
  async issueRecoveryCode(login: string): Promise<IssuedRecoveryCode> {
    const account = await this.lookup.byLogin(login);
    const { code, expiresAt } = await this.transactions.run(async (manager) => {
      const issued = await this.codes.issueIn(manager, account.id);
      await this.events.recordIn(manager, {
        event: 'recovery-code.issued',
        accountId: account.id,
        login: account.login,
      });
      return issued;
    });
    return { login: account.login, code, expiresAt };
  }

  /**
   * Refuses sign-in and recovery until unlock, and revokes every token, in one transaction. An
   * issued recovery code stays: it works again once the account is unlocked.
   */
  @OwnerCommand(LOCK)
  async lock(login: string): Promise<LockResult> {
    const account = await this.lookup.byLogin(login);
    const { changed, revoked } = await this.transactions.run(async (manager) => {
      const changed = await this.accounts.setLock(manager, account.id, this.clock.now());
      if (changed) await this.recordIn(manager, account, 'account.locked');
      return { changed, revoked: await this.revoker.revoke(manager, account, 'all', 'lock') };
    });
    return { login: account.login, changed, revoked };
  }

  @OwnerCommand(UNLOCK)
  async unlock(login: string): Promise<LockResult> {
    const account = await this.lookup.byLogin(login);
    const changed = await this.transactions.run(async (manager) => {
      const changed = await this.accounts.setLock(manager, account.id, null);
      if (changed) await this.recordIn(manager, account, 'account.unlocked');
      return changed;
    });
    return { login: account.login, changed, revoked: 0 };
  }

  /**
   * Turns the account's second factor off (secret, pending setup and backup codes forgotten) and
   * revokes every token, in one transaction; the password stays.
   */
  @OwnerCommand(RESET_TWO_FACTOR)
  async resetTwoFactor(login: string): Promise<TwoFactorResetResult> {
    const account = await this.lookup.byLogin(login);
    const { turnedOff, revoked } = await this.transactions.run(async (manager) => {
      const turnedOff = await this.twoFactor.remove(manager, account.id);
      if (turnedOff)
        await this.events.recordIn(manager, { event: 'two-factor.reset', accountId: account.id, login: account.login });
      return { turnedOff, revoked: await this.revoker.revoke(manager, account, 'all', 'owner') };
    });
    return { login: account.login, turnedOff, revoked };
  }

  /** Deletes the account, its tokens and its recovery code, all or nothing; the login is free again. */
  @OwnerCommand(DELETE_ACCOUNT)
  async deleteAccount(login: string): Promise<{ login: string; revoked: number }> {
    const account = await this.lookup.byLogin(login);
    const revoked = await this.transactions.run(async (manager) => {
      const revoked = await this.revoker.revoke(manager, account, 'all', 'deletion');
      await this.codes.removeOf(manager, account.id);
      await this.accounts.remove(manager, account.id);
      await this.recordIn(manager, account, 'account.deleted');
      return revoked;
    });
    return { login: account.login, revoked };
  }

  private async recordIn(
    manager: object,
    account: Account,
    event: 'account.locked' | 'account.unlocked' | 'account.deleted',
  ): Promise<void> {
    await this.events.recordIn(manager, { event, accountId: account.id, login: account.login });
  }
}
