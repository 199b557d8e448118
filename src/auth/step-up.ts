import { Injectable } from '@nestjs/common';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { identifierKey } from '../accounts/identifier';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import type { Session } from '../tokens/session';
import { PasswordGate } from './password-gate';
import { SignInSteps } from './sign-in-steps';

/** 403, not 401: a client that sees 401 throws its (still valid) token away. */
const wrongPassword = (): DomainError => new DomainError('forbidden', 'the password is wrong');

/**
 * A signed-in caller proves it is them again before a sensitive change (CONTRACT sections 11,
 * 18, 19, 21): every call that takes `pwd` (and `otp`, OtpField) comes through `confirm`.
 */
@Injectable()
export class StepUp {
  constructor(
    private readonly accounts: AccountsService,
    private readonly gate: PasswordGate,
    private readonly steps: SignInSteps,
    private readonly transactions: TransactionRunner,
  ) {}

  /**
   * Checks the caller's password like a sign-in: a wrong one is 403 and counts as a failed
   * sign-in, and a locked-out (account, address) pair is 429 even with the right one. The sign-in
   * steps then have their say, in a transaction of their own: with two-factor on, a missing or
   * wrong `otp` is 403 with `"secondFactor":"required"`, counted too. Returns the account as read.
   */
  async confirm(caller: Session, password: string, otp: string | undefined, address: string): Promise<Account> {
    const account = await this.gate.check(
      { accountKey: identifierKey(caller.login), login: caller.login, accountId: caller.accountId, address },
      async () => {
        const verified = await this.accounts.verifyPassword(caller.accountId, password);
        if (verified && this.steps.any) {
          await this.transactions.run((manager) =>
            this.steps.run(
              { purpose: 'step-up', firstFactor: 'password', account: verified, otp, address, client: null },
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
