import { Injectable } from '@nestjs/common';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { identifierKey } from '../accounts/identifier';
import { PasswordGate } from '../auth/password-gate';
import { SignInSteps } from '../auth/sign-in-steps';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import { SecurityEvents } from '../events/security-events';
import type { Session } from '../tokens/session';
import { SessionRevoker } from '../tokens/session-revoker';
import { SessionsService, type SessionView } from '../tokens/sessions.service';
import { TokenStore } from '../tokens/token-store';

const wrongPassword = (): DomainError => new DomainError('forbidden', 'the password is wrong');

/**
 * What a signed-in person does to their own account (CONTRACT section 11). Each change is one
 * transaction that first locks the account row (AccountsService.lockForUpdate), as a sign-in
 * does before it issues a token: so a change and a concurrent sign-in take turns, and no token
 * issued under the old state survives the change. SessionRevoker announces the revoked tokens
 * once the transaction commits.
 */
@Injectable()
export class SelfServiceService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokenStore,
    private readonly revoker: SessionRevoker,
    private readonly sessions: SessionsService,
    private readonly gate: PasswordGate,
    private readonly steps: SignInSteps,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
  ) {}

  listSessions(caller: Session): Promise<{ total: number; sessions: SessionView[] }> {
    return this.sessions.list(caller);
  }

  /** Ends one session of the caller's account; needs no password, like invalidate. */
  async revokeSession(caller: Session, publicId: string, address: string): Promise<void> {
    const revoked = await this.transactions.run(async (manager) => {
      const row = await this.tokens.findLiveSession(manager, caller.accountId, publicId);
      if (!row) return 0;
      return this.revoker.revoke(manager, accountOf(caller), { token: row.id }, 'session', { address });
    });
    if (revoked === 0) throw new DomainError('not-found', 'the account has no live session with this id');
  }

  /** Ends every session but the caller's; returns how many. */
  async revokeOthers(caller: Session, password: string, address: string): Promise<number> {
    await this.confirm(caller, password, address);
    return this.transactions.run(async (manager) => {
      if (!(await this.accounts.lockForUpdate(manager, caller.accountId))) return 0;
      return this.revoker.revoke(manager, accountOf(caller), { except: caller.tokenId }, 'others', { address });
    });
  }

  /** Sets a new password and ends every other session, in one transaction; returns how many ended. */
  async changePassword(caller: Session, password: string, newPassword: string, address: string): Promise<number> {
    // A refused new password is bad input: it is answered before the current one is checked or counted.
    this.accounts.assertPasswordAllowed(newPassword);
    const account = await this.confirm(caller, password, address);
    const hash = await this.accounts.hashNewPassword(newPassword);
    const revoked = await this.transactions.run(async (manager) => {
      const current = await this.accounts.lockForUpdate(manager, caller.accountId);
      // Changed (or deleted) by another call since the check: the password given is no longer it.
      if (current?.passwordHash !== account.passwordHash) return null;
      await this.accounts.setPasswordHash(manager, caller.accountId, hash);
      await this.events.recordIn(manager, {
        event: 'password.changed',
        accountId: caller.accountId,
        login: caller.login,
        address,
      });
      return this.revoker.revoke(manager, accountOf(caller), { except: caller.tokenId }, 'password-change', {
        address,
      });
    });
    if (revoked === null) throw new DomainError('forbidden', 'the current password is wrong');
    return revoked;
  }

  /** Deletes the account and every token of it, in one transaction; the handle is free again. */
  async deleteAccount(caller: Session, password: string, address: string): Promise<void> {
    await this.confirm(caller, password, address);
    await this.transactions.run(async (manager) => {
      // Deleted meanwhile by another call: what was asked is done.
      if (!(await this.accounts.lockForUpdate(manager, caller.accountId))) return;
      await this.revoker.revoke(manager, accountOf(caller), 'all', 'deletion', { address });
      await this.accounts.remove(manager, caller.accountId);
      await this.events.recordIn(manager, {
        event: 'account.deleted',
        accountId: caller.accountId,
        login: caller.login,
        address,
      });
    });
  }

  /**
   * Checks the caller's password like a sign-in: a wrong one counts as a failed sign-in, and a
   * locked-out (account, address) pair is 429 even with the right one. A wrong one is 403, not
   * 401: a client that sees 401 throws its (still valid) token away. The sign-in steps then have
   * their say (step-up), in a transaction of their own.
   */
  private async confirm(caller: Session, password: string, address: string): Promise<Account> {
    const account = await this.gate.check(
      { accountKey: identifierKey(caller.login), login: caller.login, accountId: caller.accountId, address },
      async () => {
        const verified = await this.accounts.verifyPassword(caller.accountId, password);
        if (verified && this.steps.any) {
          await this.transactions.run((manager) =>
            this.steps.run(
              { purpose: 'step-up', firstFactor: 'password', account: verified, address, client: null },
              manager,
            ),
          );
        }
        return verified;
      },
    );
    if (!account) throw wrongPassword();
    return account;
  }
}

const accountOf = (caller: Session) => ({ id: caller.accountId, login: caller.login });
