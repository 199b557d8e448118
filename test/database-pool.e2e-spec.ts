import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MYSQL_PREPARED_STATEMENTS, POOL_LIMITS } from '../src/database/data-source-options';
import { serviceDataSource } from './support/data-source';
import { eachEngine } from './support/engines';

/** The parts of a mysql2 pool and pooled connection read here. */
interface Mysql2Connection {
  config: { maxPreparedStatements: number };
  release(): void;
}
interface Mysql2Pool {
  getConnection(callback: (error: Error | null, connection: Mysql2Connection) => void): void;
}

/**
 * What a pooled database connection costs the service once it is open. mysql2 allocates each
 * connection's prepared-statement cache at its full size as the connection opens (16,000 slots
 * by default, about half a megabyte of heap), although TypeORM never prepares a statement: the
 * service's heap then stepped up with every connection the pool added under load. The pool's
 * connections are checked, not the options object, so that an option TypeORM failed to pass
 * on to mysql2 would show.
 */
eachEngine(__filename, (db) => {
  const dataSource = serviceDataSource(db);

  it('every connection of a full MariaDB pool keeps a small prepared-statement cache', async (t) => {
    if (db().engine !== 'mariadb') return t.skip('mysql2 (MariaDB) only');
    const pool = (dataSource().driver as unknown as { pool: Mysql2Pool }).pool;
    const take = () =>
      new Promise<Mysql2Connection>((resolve, reject) =>
        pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))),
      );
    // All of them at once, so that the pool opens every connection it may hold.
    const connections = await Promise.all(Array.from({ length: POOL_LIMITS.poolSize }, take));
    try {
      assert.equal(connections.length, POOL_LIMITS.poolSize);
      for (const connection of connections) {
        assert.equal(connection.config.maxPreparedStatements, MYSQL_PREPARED_STATEMENTS);
      }
      assert.ok(MYSQL_PREPARED_STATEMENTS <= 100, 'a cache of a few statements at most: none is ever prepared');
    } finally {
      for (const connection of connections) connection.release();
    }
  });
});
