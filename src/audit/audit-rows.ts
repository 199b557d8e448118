import type { EntityManager } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { StoredEvent } from './stored-event.entity';

/** Rows per INSERT: nine parameters each, well inside every engine's limit. */
export const ROWS_PER_INSERT = 500;

/** Writes the rows in the caller's transaction, a few hundred per statement. */
export async function insertRows(manager: EntityManager, rows: readonly StoredEvent[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(StoredEvent)
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      // Nothing to read back: the id is ours, and PostgreSQL would otherwise add RETURNING.
      .updateEntity(false)
      .execute();
  }
}

/** Sets login, address and client to null on every stored event of the account. */
export async function eraseAccount(manager: EntityManager, accountId: number): Promise<void> {
  await manager.getRepository(StoredEvent).update({ accountId }, { login: null, address: null, client: null });
}

/**
 * Which of the accounts no longer exist. The rows still there are share-locked until the
 * caller's transaction ends, and a deletion locks its row for update: so a deletion either
 * committed before (its account is reported gone) or waits until the caller has written, and
 * then erases what it wrote. SQLite runs one transaction at a time, which needs no lock.
 */
export async function goneAccounts(manager: EntityManager, accountIds: readonly number[]): Promise<Set<number>> {
  const gone = new Set(accountIds);
  if (gone.size === 0) return gone;
  const query = manager
    .getRepository(Account)
    .createQueryBuilder('a')
    .select('a.id', 'id')
    .where('a.id IN (:...ids)', { ids: [...gone] });
  if (manager.connection.options.type !== 'better-sqlite3') query.setLock('pessimistic_read');
  for (const { id } of await query.getRawMany<{ id: number | string }>()) gone.delete(Number(id));
  return gone;
}
