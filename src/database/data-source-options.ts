import { dirname, resolve } from 'node:path';
import type { Type } from '@nestjs/common';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/config';
import { DiscardBrokenConnections } from './connection-guards';
import { CreateAccountsAndTokens1763790000000 } from './migrations/1763790000000-CreateAccountsAndTokens';
import { AddSessionsLocksAndRecoveryCodes1764600000000 } from './migrations/1764600000000-AddSessionsLocksAndRecoveryCodes';
import { ExplicitForeignKeyUpdateRule1764700000000 } from './migrations/1764700000000-ExplicitForeignKeyUpdateRule';
import { AddTwoFactor1765100000000 } from './migrations/1765100000000-AddTwoFactor';
import { CreateSecurityEvents1765200000000 } from './migrations/1765200000000-CreateSecurityEvents';
import { AddAccessTokens1765300000000 } from './migrations/1765300000000-AddAccessTokens';
import { AddPasskeys1765400000000 } from './migrations/1765400000000-AddPasskeys';
import { createPrivateFile, createPrivateFolder } from './private-files';
import { QuietTypeOrmLogger } from './quiet-logger';

/** The path of an in-memory SQLite database (`DATABASE_URL=sqlite::memory:`). */
export const SQLITE_IN_MEMORY = ':memory:';

/** Every migration, in order. Listed, not globbed, so a build can never miss or reorder one. */
export const MIGRATIONS = [
  CreateAccountsAndTokens1763790000000,
  AddSessionsLocksAndRecoveryCodes1764600000000,
  ExplicitForeignKeyUpdateRule1764700000000,
  AddTwoFactor1765100000000,
  CreateSecurityEvents1765200000000,
  AddAccessTokens1765300000000,
  AddPasskeys1765400000000,
];

/**
 * Bounds that turn an unreachable MySQL or PostgreSQL into a fast error instead of a hang: how
 * long to wait for a TCP connection, for a pooled connection to become free (see
 * connection-guards.ts), for any one query, and how many requests may queue for a pooled
 * connection before the next one is refused. A request against a paused server is refused after
 * at most acquire + query timeout.
 */
export const POOL_LIMITS = {
  connectTimeoutMs: 3000,
  acquireTimeoutMs: 3000,
  queryTimeoutMs: 5000,
  poolSize: 10,
  poolQueueLimit: 500,
  /** TCP keep-alive on idle pooled connections, so a vanished server is noticed between requests. */
  keepAliveDelayMs: 10_000,
};

/**
 * Prepared statements mysql2 may keep per connection. TypeORM sends text queries only, so none
 * is ever prepared; but mysql2 allocates its statement cache up front at its default size
 * (16,000 slots: half a megabyte of heap per connection), so the heap grew by that much each
 * time the pool opened a connection.
 */
export const MYSQL_PREPARED_STATEMENTS = 16;

/** How long SQLite waits for another process's write lock before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 3000;

/**
 * Every SQLite connection overwrites deleted content with zeros instead of only unlinking it:
 * what an account's deletion erases (its login, addresses, client labels, in every table) must
 * not linger in free space of the database file. The WAL, which still holds old pages while the
 * service runs, is checkpointed into the file and removed when the last connection closes.
 */
const prepareSqlite = (db: { pragma(source: string): unknown }): void => {
  db.pragma('secure_delete = ON');
};

/**
 * The one options object behind the application's DataSource and the TypeORM CLI's
 * (`ormconfig.ts`). Schema changes happen only through migrations. The entities are the
 * caller's: the application gathers them from its feature modules (see DatabaseModule), the
 * command line lists them (src/entities.ts), so that this folder names none of them.
 */
export function dataSourceOptions(database: DatabaseConfig, entities: Type[]): DataSourceOptions {
  const common = {
    entities,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'warn', 'migration'] as ('error' | 'warn' | 'migration')[],
    logger: new QuietTypeOrmLogger(),
  };

  if (database.type === 'sqlite' && database.path === SQLITE_IN_MEMORY) {
    // `sqlite::memory:`: a database of this process alone, gone with it (the testing helper's).
    return { ...common, type: 'better-sqlite3', database: SQLITE_IN_MEMORY, prepareDatabase: prepareSqlite };
  }

  if (database.type === 'sqlite') {
    const path = resolve(database.path);
    // The file holds password and token hashes: no other local user may read it. A new database
    // is created 0600 here, before SQLite opens it; SQLite gives its journal, WAL and shared-memory
    // files the database file's mode. An existing file keeps the mode its owner gave it.
    createPrivateFolder(dirname(path));
    createPrivateFile(path);
    return {
      ...common,
      type: 'better-sqlite3',
      database: path,
      enableWAL: true,
      prepareDatabase: prepareSqlite,
      timeout: SQLITE_BUSY_TIMEOUT_MS,
    };
  }

  if (database.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      subscribers: [DiscardBrokenConnections],
      connectTimeoutMS: POOL_LIMITS.connectTimeoutMs,
      poolSize: POOL_LIMITS.poolSize,
      // Passed to pg's Pool and Client. The server cancels a statement after statement_timeout; the
      // client gives up after query_timeout when even the cancellation cannot arrive (a paused or
      // cut-off server), a little later so that the server's clearer error wins when it can.
      extra: {
        statement_timeout: POOL_LIMITS.queryTimeoutMs,
        query_timeout: POOL_LIMITS.queryTimeoutMs + 500,
        lock_timeout: POOL_LIMITS.queryTimeoutMs,
        idle_in_transaction_session_timeout: 4 * POOL_LIMITS.queryTimeoutMs,
        idleTimeoutMillis: 30_000,
        keepAlive: true,
        keepAliveInitialDelayMillis: POOL_LIMITS.keepAliveDelayMs,
      },
    };
  }

  return {
    ...common,
    type: database.type,
    url: database.url,
    subscribers: [DiscardBrokenConnections],
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    connectTimeout: POOL_LIMITS.connectTimeoutMs,
    poolSize: POOL_LIMITS.poolSize,
    enableQueryTimeout: true,
    maxQueryExecutionTime: POOL_LIMITS.queryTimeoutMs,
    // mysql2 otherwise captures a stack trace for every query, in case it fails: tens of
    // microseconds each, five times per sign-in. A failure still carries the stack of TypeORM's
    // QueryFailedError, which runs through the same awaits up to the caller.
    trace: false,
    extra: {
      waitForConnections: true,
      queueLimit: POOL_LIMITS.poolQueueLimit,
      enableKeepAlive: true,
      keepAliveInitialDelay: POOL_LIMITS.keepAliveDelayMs,
      maxPreparedStatements: MYSQL_PREPARED_STATEMENTS,
    },
  };
}
