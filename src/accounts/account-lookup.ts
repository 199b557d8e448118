import { Injectable } from '@nestjs/common';
import { DatabaseConnector } from '../database/database-connector';
import { DomainError } from '../errors/domain-error';
import type { Account } from './account.entity';
import { AccountsService } from './accounts.service';

/**
 * Finds the account an owner command names by login, matched as at sign-in (`ALICE` finds
 * `Alice`). The owner's tools open the database at their first command, with one attempt: an
 * unreachable database fails the command at once (and is tried again by the next one).
 */
@Injectable()
export class AccountLookup {
  constructor(
    private readonly accounts: AccountsService,
    private readonly database: DatabaseConnector,
  ) {}

  /** The account, or a DomainError: `invalid` for an empty login, `not-found` when none has it. */
  async byLogin(login: string): Promise<Account> {
    if (login === '') throw new DomainError('invalid', 'login must not be empty');
    if (!this.database.isReady) await this.database.connectOnce();
    const account = await this.accounts.findByLogin(login);
    if (!account) throw new DomainError('not-found', `no account with login ${JSON.stringify(login)}`);
    return account;
  }
}
