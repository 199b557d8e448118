import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { Account } from '../accounts/account.entity';
import type { DatabaseConfig } from '../config/config';
import { Token } from '../tokens/token.entity';
import { DiscardTimedOutConnections } from './connection-guards';
import { CreateAccountsAndTokens1763790000000 } from './migrations/1763790000000-CreateAccountsAndTokens';
import { AddSessionsLocksAndRecoveryCodes1764600000000 } from './migrations/1764600000000-AddSessionsLocksAndRecoveryCodes';
import { RecoveryCode } from '../recovery/recovery-code.entity';
import { QuietTypeOrmLogger } from './quiet-logger';

/** Every migration, in order. Listed, not globbed, so a build can never miss or reorder one. */
export const MIGRATIONS = [CreateAccountsAndTokens1763790000000, AddSessionsLocksAndRecoveryCodes1764600000000];

export const ENTITIES = [Account, Token, RecoveryCode];

/**
 * Bounds that turn an unreachable MySQL into a fast error instead of a hang: how long to wait
 * for a TCP connection, for a pooled connection to become free (see connection-guards.ts), for
 * any one query, and how many requests may queue for a pooled connection before the next one is
 * refused. A request against a paused server is refused after at most acquire + query timeout.
 */
export const MYSQL_LIMITS = {
  connectTimeoutMs: 3000,
  acquireTimeoutMs: 3000,
  queryTimeoutMs: 5000,
  poolSize: 10,
  poolQueueLimit: 500,
};

/** How long SQLite waits for another process's write lock before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 3000;

/**
 * The one options object behind the application's DataSource and the TypeORM CLI's
 * (`ormconfig.ts`). Schema changes happen only through migrations.
 */
export function dataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'warn', 'migration'] as ('error' | 'warn' | 'migration')[],
    logger: new QuietTypeOrmLogger(),
  };

  if (database.type === 'sqlite') {
    const path = resolve(database.path);
    mkdirSync(dirname(path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: path,
      enableWAL: true,
      timeout: SQLITE_BUSY_TIMEOUT_MS,
    };
  }

  return {
    ...common,
    type: 'mysql',
    url: database.url,
    subscribers: [DiscardTimedOutConnections],
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    connectTimeout: MYSQL_LIMITS.connectTimeoutMs,
    poolSize: MYSQL_LIMITS.poolSize,
    enableQueryTimeout: true,
    maxQueryExecutionTime: MYSQL_LIMITS.queryTimeoutMs,
    extra: {
      waitForConnections: true,
      queueLimit: MYSQL_LIMITS.poolQueueLimit,
      enableKeepAlive: true,
      keepAliveInitialDelay: 10_000,
    },
  };
}
