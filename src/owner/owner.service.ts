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
import type { Token } from '../tokens/token.entity';
import { TokenStore } from '../tokens/token-store';
import { generatePassword } from './generate-password';
import { loginArgument } from '../extension-points/owner-arguments';
import { count, iso, isoOrDash, sessionsTable } from './owner-output';

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

/** Every tool acts on this server's database only; none reaches out to the world. */
const READ = { readOnly: true };
/** Writes that may take something away (tokens, a code handed out, the account itself). */
const DESTRUCTIVE = (idempotent: boolean) => ({ readOnly: false, destructive: true, idempotent });

/**
 * The owner's operations (CONTRACT section 8), each declared once for the command line and the
 * MCP server (@OwnerCommand). Each one that changes something records its security events in
 * its transaction, written once it has committed (a failure records none). The database is
 * opened with a single attempt per operation (AccountLookup): an unreachable one fails at once
 * instead of being retried as the server would, and is tried again next time.
 */
@Injectable()
export class OwnerService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly lookup: AccountLookup,
    private readonly tokens: TokenStore,
    private readonly revoker: SessionRevoker,
    private readonly codes: RecoveryCodes,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  @OwnerCommand<AccountSummary>({
    cli: false,
    mcp: {
      name: 'find_account',
      title: 'Find an account',
      description:
        'Look up an account by login: its login as registered, when it was created, whether it is locked, how many live sessions it has, and whether an unused recovery code is outstanding.',
    },
    description: 'look up an account',
    args: { login: loginArgument },
    annotations: READ,
    reply: (found) => {
      const data = {
        login: found.login,
        createdAt: iso(found.createdAt),
        locked: found.lockedAt !== null,
        lockedAt: iso(found.lockedAt),
        liveSessions: found.liveSessions,
        recoveryCodeExpiresAt: iso(found.recoveryCodeExpiresAt),
      };
      return { text: JSON.stringify(data), data };
    },
  })
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
  @OwnerCommand<ResetResult>({
    cli: 'reset-password',
    mcp: false,
    description:
      'set a new password and revoke every token of the account, both in one transaction; ' +
      'without --password, a random password is generated and printed once',
    args: { login: loginArgument },
    options: {
      password: {
        flags: '--password <new>',
        cli: 'the new password, under the registration rules (visible in shell history and ps)',
      },
    },
    annotations: DESTRUCTIVE(false),
    print: (result) => [
      `password of ${result.login} replaced; ${count(result.revoked, 'token')} revoked`,
      ...(result.generatedPassword !== undefined ? [`new password: ${result.generatedPassword}`] : []),
    ],
  })
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
  @OwnerCommand<{ login: string; revoked: number }>({
    cli: 'revoke-tokens',
    mcp: {
      name: 'revoke_tokens',
      title: 'Sign out everywhere',
      description:
        'Revoke every token of an account: every session signs out and its live sockets are dropped. The password stays; the user can sign in again.',
    },
    description: 'revoke every token of the account (its password stays)',
    args: { login: loginArgument },
    annotations: DESTRUCTIVE(true),
    print: (result) => [`${count(result.revoked, 'token')} of ${result.login} revoked`],
    reply: (result) => ({ text: `${result.revoked} token(s) of ${result.login} revoked`, data: result }),
  })
  async revokeTokens(login: string): Promise<{ login: string; revoked: number }> {
    const account = await this.lookup.byLogin(login);
    const revoked = await this.transactions.run((manager) => this.revoker.revoke(manager, account, 'all', 'owner'));
    return { login: account.login, revoked };
  }

  /** The account's unexpired tokens, newest first. */
  @OwnerCommand<SessionsResult>({
    cli: 'sessions',
    mcp: {
      name: 'list_sessions',
      title: 'List sessions',
      description:
        'List the live sessions (unexpired tokens) of an account, newest first: id, issued, last used, expires, client label and address. Never the tokens themselves.',
    },
    description: 'list the live tokens of the account: issued, last used, expires (ISO 8601, UTC), client',
    args: { login: loginArgument },
    annotations: READ,
    print: (result) => [
      `${result.login}: ${count(result.sessions.length, 'live session')}`,
      ...(result.sessions.length > 0 ? sessionsTable(result.sessions) : []),
    ],
    reply: ({ login, sessions }) => {
      const data = {
        login,
        sessions: sessions.map((t) => ({
          id: t.publicId,
          createdAt: iso(t.createdAt),
          lastUsedAt: iso(t.lastUsedAt),
          expiresAt: iso(t.expiresAt),
          client: t.client,
          address: t.address,
        })),
      };
      return { text: JSON.stringify(data), data };
    },
  })
  async sessions(login: string): Promise<SessionsResult> {
    const account = await this.lookup.byLogin(login);
    return { login: account.login, sessions: await this.tokens.listLive(account.id) };
  }

  /** A new single-use recovery code, replacing any earlier one. Nothing else changes. */
  @OwnerCommand<IssuedRecoveryCode>({
    cli: 'recovery-code',
    mcp: {
      name: 'issue_recovery_code',
      title: 'Issue a recovery code',
      description:
        "Issue a single-use recovery code for an account, replacing any earlier code; nothing else changes. Hand it to the user only once you are satisfied who they are: with it they set a new password of their own (POST /api/auth/recover), which signs out all their sessions. It expires after the RECOVERY_CODE_TTL of this MCP server's environment (default 1 hour), fixed when issued.",
    },
    description:
      'print a single-use recovery code for the account (valid for RECOVERY_CODE_TTL, replacing any earlier ' +
      'one); the user redeems it with POST /api/auth/recover and a new password of their own',
    args: { login: loginArgument },
    annotations: DESTRUCTIVE(false),
    print: (result) => [
      `recovery code of ${result.login}: ${result.code}`,
      `single use, valid until ${isoOrDash(result.expiresAt)}`,
    ],
    reply: (issued) => {
      const data = { login: issued.login, code: issued.code, expiresAt: iso(issued.expiresAt) };
      return {
        text: `recovery code of ${issued.login}: ${issued.code} (single use, valid until ${data.expiresAt})`,
        data,
      };
    },
  })
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
  @OwnerCommand<LockResult>({
    cli: 'lock',
    mcp: {
      name: 'lock_account',
      title: 'Lock an account',
      description:
        'Lock an account: revoke every token (sockets dropped) and refuse its sign-ins and recovery until unlock_account. An outstanding recovery code is kept and works again after unlocking.',
    },
    description: 'revoke every token of the account and refuse its sign-ins and recovery until unlock',
    args: { login: loginArgument },
    annotations: DESTRUCTIVE(true),
    print: (result) => [
      `${result.login} ${result.changed ? 'locked' : 'was already locked'}; ${count(result.revoked, 'token')} revoked`,
    ],
    reply: (result) => ({
      text: `${result.login} ${result.changed ? 'locked' : 'was already locked'}; ${result.revoked} token(s) revoked`,
      data: { ...result, locked: true },
    }),
  })
  async lock(login: string): Promise<LockResult> {
    const account = await this.lookup.byLogin(login);
    const { changed, revoked } = await this.transactions.run(async (manager) => {
      const changed = await this.accounts.setLock(manager, account.id, this.clock.now());
      if (changed) await this.recordIn(manager, account, 'account.locked');
      return { changed, revoked: await this.revoker.revoke(manager, account, 'all', 'lock') };
    });
    return { login: account.login, changed, revoked };
  }

  @OwnerCommand<LockResult>({
    cli: 'unlock',
    mcp: {
      name: 'unlock_account',
      title: 'Unlock an account',
      description: 'Unlock an account locked with lock_account: it can sign in (with its password) and recover again.',
    },
    description: 'let the account sign in and recover again',
    args: { login: loginArgument },
    annotations: { readOnly: false, destructive: false, idempotent: true },
    print: (result) => [`${result.login} ${result.changed ? 'unlocked' : 'was not locked'}`],
    reply: (result) => ({
      text: `${result.login} ${result.changed ? 'unlocked' : 'was not locked'}`,
      data: { login: result.login, changed: result.changed, locked: false },
    }),
  })
  async unlock(login: string): Promise<LockResult> {
    const account = await this.lookup.byLogin(login);
    const changed = await this.transactions.run(async (manager) => {
      const changed = await this.accounts.setLock(manager, account.id, null);
      if (changed) await this.recordIn(manager, account, 'account.unlocked');
      return changed;
    });
    return { login: account.login, changed, revoked: 0 };
  }

  /** Deletes the account, its tokens and its recovery code, all or nothing; the login is free again. */
  @OwnerCommand<{ login: string; revoked: number }>({
    cli: 'delete-account',
    mcp: {
      name: 'delete_account',
      title: 'Delete an account',
      description:
        'Delete an account for good, with all its tokens (sockets dropped) and its recovery code. The login becomes free to register again. Cannot be undone.',
    },
    description: 'delete the account, its tokens and its recovery code; the login can be registered again',
    args: { login: loginArgument },
    annotations: DESTRUCTIVE(false),
    print: (result) => [`account ${result.login} deleted; ${count(result.revoked, 'token')} revoked`],
    reply: (result) => ({
      text: `account ${result.login} deleted; ${result.revoked} token(s) revoked`,
      data: { ...result, deleted: true },
    }),
  })
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
