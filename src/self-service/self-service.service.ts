import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { StepUp } from '../auth/step-up';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import { SecurityEvents } from '../events/security-events';
import type { Session } from '../tokens/session';
import { SessionRevoker } from '../tokens/session-revoker';
import { SessionsService, type SessionView } from '../tokens/sessions.service';
import { TokenStore } from '../tokens/token-store';

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
    private readonly stepUp: StepUp,
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
  async revokeOthers(caller: Session, password: string, otp: string | undefined, address: string): Promise<number> {
    await this.stepUp.confirm(caller, password, otp, address);
    return this.transactions.run(async (manager) => {
      if (!(await this.accounts.lockForUpdate(manager, caller.accountId))) return 0;
      return this.revoker.revoke(manager, accountOf(caller), { except: caller.tokenId }, 'others', { address });
    });
  }

  /** Sets a new password and ends every other session, in one transaction; returns how many ended. */
  async changePassword(
    caller: Session,
    password: string,
    newPassword: string,
    otp: string | undefined,
    address: string,
  ): Promise<number> {
    // A refused new password is bad input: it is answered before the current one is checked or counted.
    this.accounts.assertPasswordAllowed(newPassword);
    const account = await this.stepUp.confirm(caller, password, otp, address);
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
  async deleteAccount(caller: Session, password: string, otp: string | undefined, address: string): Promise<void> {
    await this.stepUp.confirm(caller, password, otp, address);
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
}

const accountOf = (caller: Session) => ({ id: caller.accountId, login: caller.login });
