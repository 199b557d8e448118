import { BadRequestException, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Account } from '../accounts/account.entity';
import { AccountLockedError, AccountsService } from '../accounts/accounts.service';
import { TransactionRunner } from '../database/transaction-runner';
import { recordRevoked } from '../events/revocation-events';
import { SecurityEvents } from '../events/security-events';
import type { Session } from '../tokens/session';
import { TokensService } from '../tokens/tokens.service';
import { decodeBase64Password } from './base64-password';
import { PasswordGate } from './password-gate';
import type { SignInOrigin } from './sign-in-origin';

/** Sign-up, sign-in and sign-out, as both dialects need them. */
@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokensService,
    private readonly gate: PasswordGate,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
  ) {}

  async register(login: string, password: string, origin: SignInOrigin): Promise<void> {
    const { account } = await this.accounts.create(login, password);
    this.recordRegistered(account, origin);
  }

  /** Creates the account and its first token in one transaction. */
  async registerWithToken(login: string, password: string, origin: SignInOrigin): Promise<string> {
    const { account, extra } = await this.accounts.create(login, password, (manager, created) =>
      this.tokens.issue(created.id, manager, origin),
    );
    this.recordRegistered(account, origin);
    return extra as string;
  }

  private recordRegistered(account: Account, origin: SignInOrigin): void {
    this.events.record({
      event: 'account.registered',
      accountId: account.id,
      login: account.login,
      address: origin.address,
    });
  }

  /** A new token for the account; the origin's address counts failures (section 9). */
  async signIn(login: string, password: string, origin: SignInOrigin): Promise<string> {
    const identifier = this.accounts.parseLogin(login);
    const account = await this.gate.check(
      {
        accountKey: identifier.key,
        login: identifier.display,
        accountId: async () => (await this.accounts.findByLogin(identifier.display))?.id ?? null,
        address: origin.address,
      },
      () => this.accounts.verifyCredentials(identifier, password),
    );
    if (!account) throw new UnauthorizedException('wrong login or password');
    // Checked only once the password matched, so that a lock is not revealed to a guesser.
    if (account.lockedAt !== null) throw new AccountLockedError();
    const token = await this.transactions.run(async (manager) => {
      // A password change, a deletion or a lock that committed since the check wins: the token
      // is issued only while the account still has the verified password and no lock.
      const current = await this.accounts.lockForUpdate(manager, account.id);
      if (current?.passwordHash !== account.passwordHash) return null;
      if (current.lockedAt !== null) throw new AccountLockedError();
      return this.tokens.issue(account.id, manager, origin);
    });
    if (token === null) {
      this.events.record({
        event: 'sign-in.failed',
        accountId: account.id,
        login: account.login,
        address: origin.address,
      });
      throw new UnauthorizedException('wrong login or password');
    }
    this.events.record({
      event: 'sign-in.succeeded',
      accountId: account.id,
      login: account.login,
      address: origin.address,
    });
    return token;
  }

  async invalidate(session: Session, token: string, address: string): Promise<void> {
    if (token === '' || token.length > 1024) throw new BadRequestException('token must be a non-empty string');
    const outcome = await this.tokens.revoke(token, session.accountId);
    if (outcome === 'forbidden') throw new ForbiddenException('the token belongs to another account');
    if (outcome === 'revoked')
      recordRevoked(this.events, { accountId: session.accountId, login: session.login, address }, 'invalidate', 1);
  }

  decodePwd(pwd: string): string {
    const password = decodeBase64Password(pwd);
    if (password === null) throw new BadRequestException('pwd must be standard Base64 of UTF-8 text');
    return password;
  }
}
