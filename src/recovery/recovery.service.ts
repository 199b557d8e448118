import { Injectable } from '@nestjs/common';
import type { Account } from '../accounts/account.entity';
import { accountLocked, AccountsService } from '../accounts/accounts.service';
import { decodeBase64Password } from '../auth/base64-password';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import { SecurityEvents } from '../events/security-events';
import { SignInLimiter } from '../limits/sign-in-limiter';
import { SessionRevoker } from '../tokens/session-revoker';
import { TokenStore } from '../tokens/token-store';
import { RecoveryCodes } from './recovery-codes';

export interface RecoveryRequest {
  handle: string;
  code: string;
  /** Base64 of the UTF-8 password, like the Birdhouse `pwd`. */
  newPwd: string;
  address: string;
}

/** One answer for every code that does not work, so that none of them tells anything apart. */
const REFUSED = 'unknown handle, or a wrong, expired or used recovery code';

/** Redeems an owner-issued recovery code: a new password and a fresh start for the account's tokens. */
@Injectable()
export class RecoveryService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokenStore,
    private readonly revoker: SessionRevoker,
    private readonly codes: RecoveryCodes,
    private readonly limiter: SignInLimiter,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
  ) {}

  /** Returns the fresh token. */
  async redeem({ handle, code, newPwd, address }: RecoveryRequest): Promise<string> {
    const identifier = this.accounts.parseLogin(handle);
    const password = decodeBase64Password(newPwd);
    if (password === null) throw new DomainError('invalid', 'newPwd must be standard Base64 of UTF-8 text');

    // A wrong code counts as a failed sign-in of that (account, address), and meets its 429.
    const seen: { account: Account | null } = { account: null };
    const match = await this.limiter.attempt(identifier.key, address, async () => {
      const account = (seen.account = await this.accounts.findByLogin(handle));
      const hash = await this.codes.match(account?.id ?? null, code);
      return account && hash !== null ? { account, hash } : null;
    });
    if (!match) throw this.refused(seen.account, handle, address);
    const { account: found, hash: matched } = match;
    // Only a valid code learns that the account is locked.
    if (found.lockedAt !== null) throw accountLocked();
    // Hashed before the transaction opens (it would hold SQLite's writers); a refused password
    // is a 400 that leaves the code valid.
    const passwordHash = await this.accounts.hashNewPassword(password);

    const who = { accountId: found.id, login: found.login, address };
    const token = await this.transactions.run(async (manager) => {
      if (!(await this.codes.consume(manager, found.id, matched))) return null;
      // Conditional on the lock, so that a lock committed since the check above still wins.
      if (!(await this.accounts.setPasswordHashUnlessLocked(manager, found.id, passwordHash))) throw accountLocked();
      await this.events.recordIn(manager, { event: 'recovery-code.redeemed', ...who });
      await this.events.recordIn(manager, { event: 'password.changed', ...who });
      await this.revoker.revoke(manager, found, 'all', 'recovery', { address });
      return this.tokens.issue(manager, found.id, { client: null, address, method: 'recovery' });
    });
    if (token === null) throw this.refused(found, handle, address);
    return token;
  }

  private refused(account: Account | null, handle: string, address: string): DomainError {
    this.events.record({
      event: 'recovery-code.failed',
      accountId: account?.id ?? null,
      login: account?.login ?? handle,
      address,
    });
    return new DomainError('unauthenticated', REFUSED);
  }
}
