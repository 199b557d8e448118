import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Account } from '../accounts/account.entity';
import { accountLocked, AccountsService } from '../accounts/accounts.service';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import { SecurityEvents } from '../events/security-events';
import type { Session } from '../tokens/session';
import { SessionRevoker } from '../tokens/session-revoker';
import { isTokenShaped } from '../tokens/token-secret';
import { TokenStore } from '../tokens/token-store';
import { decodeBase64Password } from './base64-password';
import { PasswordGate } from './password-gate';
import type { SignInOrigin } from './sign-in-origin';
import { type SignInAttempt, SignInSteps } from './sign-in-steps';

/** One answer for an unknown login and a wrong password. */
const wrongCredentials = (): DomainError => new DomainError('unauthenticated', 'wrong login or password');

/** Sign-up, sign-in and sign-out, as both dialects need them. */
@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokenStore,
    private readonly revoker: SessionRevoker,
    private readonly gate: PasswordGate,
    private readonly steps: SignInSteps,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
  ) {}

  async register(login: string, password: string, origin: SignInOrigin): Promise<void> {
    await this.accounts.create(login, password, (manager, account) => this.recordRegistered(manager, account, origin));
  }

  /** Creates the account and its first token in one transaction. */
  async registerWithToken(login: string, password: string, origin: SignInOrigin): Promise<string> {
    const { extra } = await this.accounts.create(login, password, async (manager, created) => {
      const token = await this.tokens.issue(manager, created.id, { ...origin, method: 'registration' });
      await this.recordRegistered(manager, created, origin);
      return token;
    });
    return extra as string;
  }

  private async recordRegistered(manager: object, account: Account, origin: SignInOrigin): Promise<void> {
    await this.events.recordIn(manager, {
      event: 'account.registered',
      accountId: account.id,
      login: account.login,
      client: origin.client,
      address: origin.address,
    });
  }

  /**
   * A new token for the account; the origin's address counts failures (section 9). Between the
   * verified password and the token, the sign-in steps have their say (SignInSteps): with
   * two-factor on, `otp` is the second factor.
   */
  async signIn(login: string, password: string, origin: SignInOrigin, otp?: string): Promise<string> {
    const identifier = this.accounts.parseLogin(login);
    const outcome = await this.gate.check(
      {
        accountKey: identifier.key,
        login: identifier.display,
        accountId: async () => (await this.accounts.findByLogin(identifier.display))?.id ?? null,
        address: origin.address,
      },
      async () => {
        const account = await this.accounts.verifyCredentials(identifier, password);
        return account && { account, issued: await this.issueFor(account, origin, otp) };
      },
    );
    if (!outcome) throw wrongCredentials();
    const { account, issued } = outcome;
    // A lock is told only once the password matched, so that it is not revealed to a guesser.
    if (issued === 'locked') throw accountLocked();
    if (issued === 'stale') {
      this.events.record({
        event: 'sign-in.failed',
        accountId: account.id,
        login: account.login,
        address: origin.address,
        stage: 'password',
      });
      throw wrongCredentials();
    }
    this.events.record({
      event: 'sign-in.succeeded',
      accountId: account.id,
      login: account.login,
      client: origin.client,
      address: origin.address,
      method: issued.method,
    });
    return issued.token;
  }

  /**
   * Issues the token of a verified password, unless the account is locked, or its password
   * changed (or it was deleted) since the check: a change that committed meanwhile wins. The
   * sign-in steps run under the account's row lock, in the transaction that issues the token.
   */
  private issueFor(
    account: Account,
    origin: SignInOrigin,
    otp: string | undefined,
  ): Promise<{ token: string; method: string } | 'locked' | 'stale'> {
    if (account.lockedAt !== null) return Promise.resolve('locked');
    return this.transactions.run(async (manager) => {
      const current = await this.accounts.lockForUpdate(manager, account.id);
      if (current?.passwordHash !== account.passwordHash) return 'stale';
      if (current.lockedAt !== null) return 'locked';
      const method = await this.steps.run(
        {
          purpose: 'sign-in',
          firstFactor: 'password',
          account: current,
          otp,
          address: origin.address,
          client: origin.client,
        },
        manager,
      );
      return { token: await this.tokens.issue(manager, account.id, { ...origin, method }), method };
    });
  }

  /**
   * A new token for an account whose first factor was verified elsewhere (a passkey's signature),
   * on the same path as a password sign-in: under the account's row lock, the lock refused, the
   * sign-in steps consulted, the token issued with its method, `sign-in.succeeded` recorded.
   * `within` writes what the factor needs kept in the same transaction (a passkey's counter) and
   * returns false to refuse after all. Resolves to 'locked' for a locked account and to 'refused'
   * when the account is gone or `within` refused.
   */
  async signInVerified(
    accountId: number,
    firstFactor: 'passkey',
    origin: SignInOrigin,
    within: (manager: EntityManager) => Promise<boolean>,
  ): Promise<{ token: string; method: string; account: Account } | 'locked' | 'refused'> {
    const issued = await this.transactions.run(async (manager) => {
      const account = await this.accounts.lockForUpdate(manager, accountId);
      if (!account) return 'refused';
      if (account.lockedAt !== null) return 'locked';
      if (!(await within(manager))) return 'refused';
      const attempt = { purpose: 'sign-in', firstFactor, account, address: origin.address, client: origin.client };
      const method = await this.steps.run(attempt as SignInAttempt, manager);
      return { token: await this.tokens.issue(manager, account.id, { ...origin, method }), method, account };
    });
    if (typeof issued === 'string') return issued;
    this.events.record({
      event: 'sign-in.succeeded',
      accountId: issued.account.id,
      login: issued.account.login,
      client: origin.client,
      address: origin.address,
      method: issued.method,
    });
    return issued;
  }

  async invalidate(session: Session, token: string, address: string): Promise<void> {
    if (token === '' || token.length > 1024) throw new DomainError('invalid', 'token must be a non-empty string');
    // Unknown, expired and malformed tokens alike: revocation is idempotent (for an access token, not itself).
    if (!isTokenShaped(token)) {
      if (session.kind === 'access') throw new DomainError('forbidden', 'an access token may revoke only itself');
      return;
    }
    const forbidden = await this.transactions.run(async (manager) => {
      const row = await this.tokens.findLive(manager, token);
      if (!row) return session.kind === 'access';
      if (row.accountId !== session.accountId) return true;
      // An access token may end itself, and nothing else (section 21).
      if (session.kind === 'access' && row.id !== session.tokenId) return true;
      const account = { id: session.accountId, login: session.login };
      await this.revoker.revoke(manager, account, { token: row.id }, 'invalidate', { address });
      return false;
    });
    if (forbidden)
      throw new DomainError(
        'forbidden',
        session.kind === 'access' ? 'an access token may revoke only itself' : 'the token belongs to another account',
      );
  }

  decodePwd(pwd: string): string {
    const password = decodeBase64Password(pwd);
    if (password === null) throw new DomainError('invalid', 'pwd must be standard Base64 of UTF-8 text');
    return password;
  }
}
