import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { afterCommit, commitUnit, discardUnit, openUnit } from '../events/after-commit';

/**
 * Runs a unit of writes atomically on either engine.
 *
 * MySQL hands each transaction its own pooled connection. better-sqlite3 has one connection per
 * process, and TypeORM shares it between all callers: two transactions opened at once would
 * nest, and a plain write issued while another request's transaction is open would be committed
 * or rolled back with it. So on SQLite every write goes through here, one unit at a time. The
 * units are short (the password hash is computed before), so the queue never holds long.
 */
@Injectable()
export class TransactionRunner {
  private readonly serial: boolean;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serial = dataSource.options.type === 'better-sqlite3';
  }

  /**
   * Runs `work` in a transaction on the manager it hands over. Once the transaction has
   * committed, what was registered with afterCommit runs, and then the promise resolves.
   */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    let unit: EntityManager | undefined;
    const transaction = () =>
      this.dataSource.transaction((manager) => {
        unit = manager;
        openUnit(manager);
        return work(manager);
      });
    let result: Promise<T>;
    if (this.serial) {
      result = this.tail.then(transaction);
      this.tail = result.catch(() => undefined);
    } else {
      result = transaction();
    }
    return result.then(
      (value) => {
        const following = unit && commitUnit(unit);
        return following ? following.then(() => value) : value;
      },
      (error: unknown) => {
        if (unit) discardUnit(unit);
        throw error;
      },
    );
  }

  /**
   * Runs `callback` once the transaction that run() opened with `manager` has committed (never
   * after a rollback): how a change announces itself, e.g. a revocation to the sockets, only
   * when it is certain. A callback that throws is logged and fails nothing.
   */
  afterCommit(manager: EntityManager, callback: () => void): void {
    afterCommit(manager, callback);
  }
}
