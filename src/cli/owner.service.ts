import { Injectable } from '@nestjs/common';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { DatabaseConnector } from '../database/database-connector';
import { TransactionRunner } from '../database/transaction-runner';
import type { Token } from '../tokens/token.entity';
import { TokensService } from '../tokens/tokens.service';
import { CliError } from './cli-error';
import { generatePassword } from './generate-password';

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

/**
 * The owner's recovery operations. Arguments are checked before the database is opened, so a
 * typo costs nothing; the database is opened with a single attempt, so an unreachable one fails
 * at once instead of being retried as the server would.
 */
@Injectable()
export class OwnerService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tokens: TokensService,
    private readonly transactions: TransactionRunner,
    private readonly database: DatabaseConnector,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Sets a new password and revokes every token of the account, both or neither. */
  async resetPassword(login: string, password?: string): Promise<ResetResult> {
    const chosen = password ?? generatePassword(this.config.passwordMinLength);
    this.accounts.assertPasswordAllowed(chosen);
    const account = await this.account(login);
    // Hashed before the transaction opens: on SQLite it would hold every other writer.
    const passwordHash = await this.accounts.hashNewPassword(chosen);
    const revoked = await this.transactions.run(async (manager) => {
      await this.accounts.setPasswordHash(manager, account.id, passwordHash);
      return this.tokens.deleteAllOf(account.id, manager);
    });
    this.tokens.announceRevoked(revoked);
    return { login: account.login, revoked: revoked.length, generatedPassword: password === undefined ? chosen : undefined };
  }

  /** Revokes every token of the account; returns how many there were. */
  async revokeTokens(login: string): Promise<{ login: string; revoked: number }> {
    const account = await this.account(login);
    return { login: account.login, revoked: await this.tokens.revokeAll(account.id) };
  }

  /** The account's unexpired tokens, newest first. */
  async sessions(login: string): Promise<SessionsResult> {
    const account = await this.account(login);
    return { login: account.login, sessions: await this.tokens.listLive(account.id) };
  }

  /** The account signed in as `login` would be, under the same normalisation. */
  private async account(login: string): Promise<Account> {
    await this.database.connectOnce();
    const account = await this.accounts.findByLogin(login);
    if (!account) throw new CliError(`no account with login ${JSON.stringify(login)}`);
    return account;
  }
}
