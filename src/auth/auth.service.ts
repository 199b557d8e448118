import { BadRequestException, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AccountLockedError, AccountsService } from '../accounts/accounts.service';
import { TransactionRunner } from '../database/transaction-runner';
import type { Session } from '../tokens/session';
import { TokensService } from '../tokens/tokens.service';
import { SignInLimiter } from '../limits/sign-in-limiter';
import { decodeBase64Password } from './base64-password';

/** Sign-up, sign-in and sign-out, as both dialects need them. */
@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokensService,
    private readonly limiter: SignInLimiter,
    private readonly transactions: TransactionRunner,
  ) {}

  async register(login: string, password: string): Promise<void> {
    await this.accounts.create(login, password);
  }

  /** Creates the account and its first token in one transaction. */
  async registerWithToken(login: string, password: string): Promise<string> {
    const { extra } = await this.accounts.create(login, password, (manager, account) =>
      this.tokens.issue(account.id, manager),
    );
    return extra as string;
  }

  /** A new token for the account; `address` is the client's, for the failure limit. */
  async signIn(login: string, password: string, address: string): Promise<string> {
    const identifier = this.accounts.parseLogin(login);
    const account = await this.limiter.attempt(identifier.key, address, () => this.accounts.verifyCredentials(identifier, password));
    if (!account) throw new UnauthorizedException('wrong login or password');
    // Checked only once the password matched, so that a lock is not revealed to a guesser; and
    // again after the token is written, in its transaction: a lock committed meanwhile either
    // is seen here or deletes the new token (the insert holds the account row for its check).
    if (account.lockedAt !== null) throw new AccountLockedError();
    return this.transactions.run(async (manager) => {
      const token = await this.tokens.issue(account.id, manager);
      if (await this.accounts.isLocked(manager, account.id)) throw new AccountLockedError();
      return token;
    });
  }

  async invalidate(session: Session, token: string): Promise<void> {
    if (token === '' || token.length > 1024) throw new BadRequestException('token must be a non-empty string');
    const outcome = await this.tokens.revoke(token, session.accountId);
    if (outcome === 'forbidden') throw new ForbiddenException('the token belongs to another account');
  }

  decodePwd(pwd: string): string {
    const password = decodeBase64Password(pwd);
    if (password === null) throw new BadRequestException('pwd must be standard Base64 of UTF-8 text');
    return password;
  }
}
