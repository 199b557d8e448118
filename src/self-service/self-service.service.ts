import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { identifierKey } from '../accounts/identifier';
import { PasswordGate } from '../auth/password-gate';
import { TransactionRunner } from '../database/transaction-runner';
import { recordRevoked } from '../events/revocation-events';
import type { RevocationCause } from '../events/security-event';
import { SecurityEvents } from '../events/security-events';
import type { Session } from '../tokens/session';
import { SessionsService, type SessionView } from '../tokens/sessions.service';
import { TokensService } from '../tokens/tokens.service';

/**
 * What a signed-in person does to their own account (CONTRACT section 11). Each change is one
 * transaction that first locks the account row (AccountsService.lockForUpdate), as a sign-in
 * does before it issues a token: so a change and a concurrent sign-in take turns, and no token
 * issued under the old state survives the change. Revoked tokens are announced after commit.
 */
@Injectable()
export class SelfServiceService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokensService,
    private readonly sessions: SessionsService,
    private readonly gate: PasswordGate,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
  ) {}

  listSessions(caller: Session): Promise<{ total: number; sessions: SessionView[] }> {
    return this.sessions.list(caller);
  }

  /** Ends one session of the caller's account; needs no password, like invalidate. */
  async revokeSession(caller: Session, publicId: string, address: string): Promise<void> {
    const tokenId = await this.transactions.run((manager) =>
      this.sessions.deleteOne(manager, caller.accountId, publicId),
    );
    if (tokenId === null) throw new NotFoundException('the account has no live session with this id');
    this.revoked(caller, address, 'session', [tokenId]);
  }

  /** Ends every session but the caller's; returns how many. */
  async revokeOthers(caller: Session, password: string, address: string): Promise<number> {
    await this.confirm(caller, password, address);
    const ids = await this.transactions.run(async (manager) => {
      if (!(await this.accounts.lockForUpdate(manager, caller.accountId))) return [];
      return this.sessions.deleteOthers(manager, caller.accountId, caller.tokenId);
    });
    this.revoked(caller, address, 'others', ids);
    return ids.length;
  }

  /** Sets a new password and ends every other session, in one transaction; returns how many ended. */
  async changePassword(caller: Session, password: string, newPassword: string, address: string): Promise<number> {
    // A refused new password is bad input: it is answered before the current one is checked or counted.
    this.accounts.assertPasswordAllowed(newPassword);
    const account = await this.confirm(caller, password, address);
    const hash = await this.accounts.hashNewPassword(newPassword);
    const ids = await this.transactions.run(async (manager) => {
      const current = await this.accounts.lockForUpdate(manager, caller.accountId);
      // Changed (or deleted) by another call since the check: the password given is no longer it.
      if (current?.passwordHash !== account.passwordHash) return null;
      await this.accounts.setPasswordHash(manager, caller.accountId, hash);
      return this.sessions.deleteOthers(manager, caller.accountId, caller.tokenId);
    });
    if (ids === null) throw new ForbiddenException('the current password is wrong');
    this.events.record({ event: 'password.changed', accountId: caller.accountId, login: caller.login, address });
    this.revoked(caller, address, 'password-change', ids);
    return ids.length;
  }

  /** Deletes the account and every token of it, in one transaction; the handle is free again. */
  async deleteAccount(caller: Session, password: string, address: string): Promise<void> {
    await this.confirm(caller, password, address);
    const ids = await this.transactions.run(async (manager) => {
      // Deleted meanwhile by another call: what was asked is done.
      if (!(await this.accounts.lockForUpdate(manager, caller.accountId))) return null;
      const deleted = await this.tokens.deleteAllOf(caller.accountId, manager);
      await this.accounts.remove(manager, caller.accountId);
      return deleted;
    });
    if (ids === null) return;
    this.revoked(caller, address, 'deletion', ids);
    this.events.record({ event: 'account.deleted', accountId: caller.accountId, login: caller.login, address });
  }

  /**
   * Checks the caller's password like a sign-in: a wrong one counts as a failed sign-in, and a
   * locked-out (account, address) pair is 429 even with the right one. A wrong one is 403, not
   * 401: a client that sees 401 throws its (still valid) token away.
   */
  private async confirm(caller: Session, password: string, address: string): Promise<Account> {
    const account = await this.gate.check(
      { accountKey: identifierKey(caller.login), login: caller.login, accountId: caller.accountId, address },
      () => this.accounts.verifyPassword(caller.accountId, password),
    );
    if (!account) throw new ForbiddenException('the password is wrong');
    return account;
  }

  private revoked(caller: Session, address: string, cause: RevocationCause, tokenIds: number[]): void {
    this.tokens.announceRevoked(tokenIds);
    recordRevoked(this.events, { accountId: caller.accountId, login: caller.login, address }, cause, tokenIds.length);
  }
}
