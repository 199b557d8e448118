import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

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

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serial) return this.dataSource.transaction(work);
    const result = this.tail.then(() => this.dataSource.transaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }
}
