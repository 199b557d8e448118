import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, IsNull, Not, type Repository } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { BackupCode } from './backup-code.entity';
import { TwoFactor } from './two-factor.entity';

/**
 * The rows of two-factor sign-in: an account's (encrypted) secrets and last accepted step in
 * `two_factor`, its unused backup codes (keyed hashes) in `backup_codes`, and whether it is on in
 * `accounts.two_factor_enabled_at`, which the token check reads. It handles only what is stored:
 * encrypting and hashing are TwoFactorService's, so the owner's tools can turn two-factor off
 * without the secrets key. Writes go through the caller's transaction.
 */
@Injectable()
export class TwoFactorStore {
  constructor(
    @InjectRepository(TwoFactor) private readonly rows: Repository<TwoFactor>,
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
  ) {}

  /** Whether the account has two-factor on, and its row, as committed now. */
  async state(accountId: number): Promise<{ on: boolean; row: TwoFactor | null }> {
    const [account, row] = await Promise.all([
      this.accounts.findOne({ select: { id: true, twoFactorEnabledAt: true }, where: { id: accountId } }),
      this.rows.findOneBy({ accountId }),
    ]);
    return { on: (account?.twoFactorEnabledAt ?? null) !== null, row };
  }

  /** The account's row, outside any transaction (null when it never set two-factor up). */
  find(accountId: number): Promise<TwoFactor | null> {
    return this.rows.findOneBy({ accountId });
  }

  /** The account's row as the caller's transaction sees it. */
  findIn(manager: EntityManager, accountId: number): Promise<TwoFactor | null> {
    return manager.getRepository(TwoFactor).findOneBy({ accountId });
  }

  /** Keeps a new, unconfirmed secret until `expiresAt`, replacing an earlier one; the secret in use stays. */
  async setPending(manager: EntityManager, accountId: number, sealed: string, expiresAt: number): Promise<void> {
    await manager
      .getRepository(TwoFactor)
      .upsert({ accountId, pendingSecret: sealed, pendingExpiresAt: expiresAt }, ['accountId']);
  }

  /**
   * Records `step` as the last accepted one, unless it is not later than the one recorded: the
   * one conditional update that decides, across instances and under a race, which of the
   * requests presenting a code gets it. True when this one did.
   */
  async advanceStep(manager: EntityManager, accountId: number, step: number): Promise<boolean> {
    const { affected } = await manager
      .getRepository(TwoFactor)
      .createQueryBuilder()
      .update()
      .set({ lastStep: step })
      .where('account_id = :accountId', { accountId })
      .andWhere('(last_step IS NULL OR last_step < :step)', { step })
      .execute();
    return affected === 1;
  }

  /** Uses up the backup code with this hash; true when it was there to use (once, whoever races). */
  async useBackupCode(manager: EntityManager, accountId: number, codeHash: string): Promise<boolean> {
    const { affected } = await manager.getRepository(BackupCode).delete({ accountId, codeHash });
    return (affected ?? 0) > 0;
  }

  /** Puts `codeHashes` in place of the account's backup codes. */
  async replaceBackupCodes(
    manager: EntityManager,
    accountId: number,
    codeHashes: readonly string[],
    now: number,
  ): Promise<void> {
    const codes = manager.getRepository(BackupCode);
    await deleteBackupCodes(manager, accountId);
    await codes.insert(codeHashes.map((codeHash) => ({ accountId, codeHash, createdAt: now })));
  }

  /**
   * Turns two-factor on with the confirmed secret (the pending one, sealed), `step` as its first
   * accepted step and `now` as when; the pending setup is used up.
   */
  async enable(manager: EntityManager, accountId: number, sealed: string, step: number, now: number): Promise<void> {
    await manager
      .getRepository(TwoFactor)
      .update({ accountId }, { secret: sealed, pendingSecret: null, pendingExpiresAt: null, lastStep: step });
    await manager.getRepository(Account).update({ id: accountId }, { twoFactorEnabledAt: now });
  }

  /**
   * Turns two-factor off and forgets everything of it (secrets, steps, backup codes); false when
   * it was not on, and nothing was.
   */
  async remove(manager: EntityManager, accountId: number): Promise<boolean> {
    const { affected } = await manager
      .getRepository(Account)
      .update({ id: accountId, twoFactorEnabledAt: Not(IsNull()) }, { twoFactorEnabledAt: null });
    await deleteBackupCodes(manager, accountId);
    // By primary key, and only when the row is there (see deleteBackupCodes).
    if (await manager.getRepository(TwoFactor).existsBy({ accountId }))
      await manager.getRepository(TwoFactor).delete({ accountId });
    return affected === 1;
  }

  /** A few stored ciphertexts (the first and last rows), to check at start that the key opens them. */
  async samples(): Promise<{ accountId: number; sealed: string }[]> {
    const found: { accountId: number; sealed: string }[] = [];
    for (const order of ['ASC', 'DESC'] as const) {
      const row = await this.rows.findOne({ where: {}, order: { accountId: order } });
      const sealed = row?.secret ?? row?.pendingSecret;
      if (row && sealed) found.push({ accountId: row.accountId, sealed });
    }
    return found;
  }
}

/**
 * Deletes the account's backup codes by primary key, after reading which there are. The callers
 * hold the account's row lock, so the read is current. A DELETE by account id that matches no row
 * takes InnoDB's gap lock past the index's last entry: two accounts enabling two-factor at once
 * then each waited for the other's gap to insert their codes, and MariaDB broke the deadlock with a
 * 503.
 */
async function deleteBackupCodes(manager: EntityManager, accountId: number): Promise<void> {
  const codes = manager.getRepository(BackupCode);
  const ids = (await codes.find({ select: { id: true }, where: { accountId } })).map((code) => code.id);
  if (ids.length > 0) await codes.delete({ id: In(ids) });
}
