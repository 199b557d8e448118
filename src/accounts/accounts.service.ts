import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Not, type Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { isUniqueViolation } from '../database/database-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import { Account } from './account.entity';
import { checkIdentifier, type Identifier, identifierKey } from './identifier';
import { isCommonPassword } from './common-passwords';
import { checkPassword, PASSWORD_MAX_BYTES } from './password-policy';
import { PasswordHasher } from './password-hasher';

/** 409: the login is someone's already. */
export const loginTaken = (): DomainError => new DomainError('conflict', 'login is already taken');

/** 403: the owner locked the account (told only to whoever proved the password or holds a valid code). */
export const accountLocked = (): DomainError =>
  new DomainError('forbidden', 'the account is locked; ask the server owner');

@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly transactions: TransactionRunner,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Checks an identifier (a new one, or one signing in); throws 400 with the reason. */
  parseLogin(login: string): Identifier {
    const check = checkIdentifier(login);
    if (!check.ok) throw new DomainError('invalid', `login ${check.reason}`);
    return check.value;
  }

  /**
   * Checks a new password against the rules, the list of common passwords included (unless
   * PASSWORD_BLOCKLIST=off); throws 400 with the reason. Every place that sets a password comes
   * through here; a sign-in never does, so an old common password still works.
   */
  assertPasswordAllowed(password: string): void {
    const check = checkPassword(password, this.config.passwordMinLength);
    if (!check.ok) throw new DomainError('invalid', check.reason);
    if (this.config.passwordBlocklist === 'common' && isCommonPassword(password)) {
      throw new DomainError('invalid', 'password is one of the 10,000 most common passwords; choose another');
    }
  }

  /**
   * Creates the account and, in the same transaction, whatever `alongside` writes (the
   * Birdhouse dialect's first token): both are stored or neither. A taken login is 409, also
   * when another request takes it between the check and the insert (the unique index decides).
   */
  async create<T>(
    login: string,
    password: string,
    alongside?: (manager: EntityManager, account: Account) => Promise<T>,
  ): Promise<{ account: Account; extra: T | undefined }> {
    const identifier = this.parseLogin(login);
    this.assertPasswordAllowed(password);
    // Spare the hash when the answer is already known; the insert below still decides races.
    if (await this.accounts.existsBy({ loginKey: identifier.key })) throw loginTaken();
    const passwordHash = await this.hasher.hash(password);
    try {
      return await this.transactions.run(async (manager) => {
        const account = await manager.getRepository(Account).save(
          manager.getRepository(Account).create({
            loginKey: identifier.key,
            login: identifier.display,
            passwordHash,
            createdAt: this.clock.now(),
          }),
        );
        const extra = alongside ? await alongside(manager, account) : undefined;
        return { account, extra };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw loginTaken();
      throw error;
    }
  }

  /** The account with this login under sign-in normalisation, if any. */
  findByLogin(login: string): Promise<Account | null> {
    if (!login.isWellFormed()) return Promise.resolve(null);
    return this.accounts.findOneBy({ loginKey: identifierKey(login) });
  }

  /**
   * The account when login and password match, otherwise null. An unknown login spends one
   * hash verification like a wrong password, so the two take the same time. A hash made at a
   * lower cost than configured is replaced while the plain password is at hand.
   */
  async verifyCredentials(login: Identifier, password: string): Promise<Account | null> {
    if (!password.isWellFormed() || Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
      throw new DomainError('invalid', `password must be valid Unicode text of at most ${PASSWORD_MAX_BYTES} bytes`);
    }
    const account = await this.accounts.findOneBy({ loginKey: login.key });
    if (!account) return this.hasher.verifyDecoy(password).then(() => null);
    if (!(await this.hasher.verify(password, account.passwordHash))) return null;
    if (this.hasher.needsRehash(account.passwordHash)) await this.rehash(account, password);
    return account;
  }

  /** The account when the password is its current one, otherwise null (a gone account too). */
  async verifyPassword(accountId: number, password: string): Promise<Account | null> {
    if (!password.isWellFormed() || Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
      throw new DomainError('invalid', `password must be valid Unicode text of at most ${PASSWORD_MAX_BYTES} bytes`);
    }
    const account = await this.accounts.findOneBy({ id: accountId });
    if (!account || !(await this.hasher.verify(password, account.passwordHash))) return null;
    if (this.hasher.needsRehash(account.passwordHash)) await this.rehash(account, password);
    return account;
  }

  /**
   * Reads the account inside the caller's transaction and holds its row until the transaction
   * ends: a password change, a deletion, "end all other sessions" and the token a sign-in issues
   * take turns on it, so none of them can slip between another's check and its commit. SQLite
   * needs no lock: TransactionRunner already runs its transactions one at a time.
   */
  lockForUpdate(manager: EntityManager, accountId: number): Promise<Account | null> {
    const query = manager.getRepository(Account).createQueryBuilder('a').where('a.id = :accountId', { accountId });
    if (manager.connection.options.type !== 'better-sqlite3') query.setLock('pessimistic_write');
    return query.getOne();
  }

  private async rehash(account: Account, password: string): Promise<void> {
    const stale = account.passwordHash;
    const fresh = await this.hasher.hash(password);
    // Only replace the hash we verified: a password changed meanwhile must not be overwritten.
    await this.transactions.run((manager) =>
      manager.getRepository(Account).update({ id: account.id, passwordHash: stale }, { passwordHash: fresh }),
    );
    account.passwordHash = fresh;
  }

  /**
   * Checks a new password against the rules and hashes it. Done before the transaction that
   * stores it opens: on SQLite writes are serialised, and a hash must not hold the queue.
   */
  async hashNewPassword(password: string): Promise<string> {
    this.assertPasswordAllowed(password);
    return this.hasher.hash(password);
  }

  /** Stores a hash from hashNewPassword, inside the caller's transaction. */
  async setPasswordHash(manager: EntityManager, accountId: number, passwordHash: string): Promise<void> {
    await manager.getRepository(Account).update({ id: accountId }, { passwordHash });
  }

  /**
   * Deletes the account row inside the caller's transaction. The caller revokes its tokens in
   * the same transaction first (SessionRevoker, which announces them once it commits); its
   * recovery code goes with it (ON DELETE CASCADE).
   */
  async remove(manager: EntityManager, accountId: number): Promise<void> {
    await manager.getRepository(Account).delete({ id: accountId });
  }

  /**
   * Stores a hash from hashNewPassword inside the caller's transaction unless the account is
   * locked; false when it is (the row lock makes a lock committed meanwhile win).
   */
  async setPasswordHashUnlessLocked(manager: EntityManager, accountId: number, passwordHash: string): Promise<boolean> {
    const { affected } = await manager
      .getRepository(Account)
      .update({ id: accountId, lockedAt: IsNull() }, { passwordHash });
    return affected === 1;
  }

  /**
   * Locks (`lockedAt` a time) or unlocks (null) the account inside the caller's transaction;
   * false when it already was so (a lock keeps the time it was first set).
   */
  async setLock(manager: EntityManager, accountId: number, lockedAt: number | null): Promise<boolean> {
    const { affected } = await manager
      .getRepository(Account)
      .update({ id: accountId, lockedAt: lockedAt === null ? Not(IsNull()) : IsNull() }, { lockedAt });
    return affected === 1;
  }
}
