import {
  type AfterQueryEvent,
  DataSource,
  type EntityMetadata,
  type EntitySubscriberInterface,
  type EntityTarget,
  EventSubscriber,
} from 'typeorm';
import { isDatabaseUnavailable } from './database-errors';

/**
 * What stands between a database that is missing, stopped or paused and a request that would
 * otherwise fail with a 500 or hang: a DataSource that refuses to be used before its schema is
 * ready, and bounds that the mysql2 and pg pools lack. A stopped or unreachable server is noticed at
 * once (reset, refused) or within the connect timeout; a paused one keeps its sockets open and
 * only the timeouts below turn it into a prompt 503.
 */

/** Any use of the database before DatabaseConnector has opened it and applied the migrations. */
export class DatabaseNotReadyError extends Error {
  readonly code = 'DATABASE_NOT_READY';

  constructor() {
    super('the database is not open yet');
    this.name = 'DatabaseNotReadyError';
  }
}

/**
 * The application's DataSource. Until DatabaseConnector calls `schemaReady()`, every entity
 * operation is refused with DatabaseNotReadyError (a 503) instead of what TypeORM would do: throw
 * "No metadata for Account was found" before the first connection (a 500), or query tables that
 * the migrations have not created yet. Migrations themselves use no entity metadata.
 */
export class GatedDataSource extends DataSource {
  private ready = false;

  schemaReady(): void {
    this.ready = true;
  }

  override getMetadata(target: EntityTarget<any>): EntityMetadata {
    if (!this.ready || !this.isInitialized) throw new DatabaseNotReadyError();
    return super.getMetadata(target);
  }

  /**
   * Until the schema is ready, no table has entity metadata as far as anyone asks: a migration
   * that alters an existing table asks (QueryRunner.isDefaultColumnLength and the like) and must
   * then fall back to the driver's defaults instead of being refused.
   */
  override hasMetadata(target: EntityTarget<any>): boolean {
    if (!this.ready || !this.isInitialized) return false;
    return super.hasMetadata(target);
  }
}

/** The error given to a caller that waited too long for a pooled connection. */
export class ConnectionWaitTimeoutError extends Error {
  readonly code = 'POOL_ACQUIRE_TIMEOUT';

  constructor(timeoutMs: number) {
    super(`no database connection became free within ${timeoutMs} ms`);
    this.name = 'ConnectionWaitTimeoutError';
  }
}

/** The error given to a caller when too many are already waiting for a pooled connection. */
export class ConnectionQueueFullError extends Error {
  readonly code = 'POOL_QUEUE_LIMIT';

  constructor(limit: number) {
    super(`${limit} callers are already waiting for a database connection`);
    this.name = 'ConnectionQueueFullError';
  }
}

export interface ConnectionWaitLimits {
  /** The longest a caller waits for a pooled connection, opening one included. */
  acquireTimeoutMs: number;
  /** How many callers may wait at once; the next is refused at once. */
  queueLimit: number;
}

/** What the drivers' obtainMasterConnection resolves to: mysql2's connection, or pg's [client, release]. */
type Obtained = { release(): void } | [unknown, (error?: Error) => void];

function giveBack(obtained: Obtained): void {
  if (Array.isArray(obtained)) obtained[1]();
  else obtained.release();
}

/**
 * Neither pool bounds the wait well enough on its own. mysql2's pool has no acquire timeout:
 * once every connection is busy, a caller waits in the queue until one is released, and against
 * a paused server each is held for the whole query timeout, then replaced by a new connection
 * that spends the whole connect timeout failing; a burst would wait several of those rounds.
 * pg-pool bounds each wait by its connection timeout but not the number of waiters, so a flood
 * during an outage would pile up without end. This bounds both the wait (including opening a
 * new connection) and, on PostgreSQL, the queue (mysql2 has `queueLimit`). A connection that
 * arrives after its caller gave up goes straight back.
 */
export function limitConnectionWait(dataSource: DataSource, limits: ConnectionWaitLimits): DataSource {
  const type = dataSource.options.type;
  if (type !== 'mysql' && type !== 'mariadb' && type !== 'postgres') return dataSource;
  const driver = dataSource.driver as unknown as { obtainMasterConnection(): Promise<Obtained> };
  const obtain = driver.obtainMasterConnection.bind(driver);
  let waiting = 0;
  driver.obtainMasterConnection = () => {
    if (type === 'postgres' && waiting >= limits.queueLimit) {
      return Promise.reject(new ConnectionQueueFullError(limits.queueLimit));
    }
    waiting++;
    return new Promise((resolve, reject) => {
      let gaveUp = false;
      const timer = setTimeout(() => {
        gaveUp = true;
        reject(new ConnectionWaitTimeoutError(limits.acquireTimeoutMs));
      }, limits.acquireTimeoutMs);
      // Counted until the pool itself lets go of the caller: that is what its queue holds.
      obtain()
        .finally(() => waiting--)
        .then(
          (obtained) => {
            if (gaveUp) return giveBack(obtained);
            clearTimeout(timer);
            resolve(obtained);
          },
          (error: unknown) => {
            clearTimeout(timer);
            if (!gaveUp) reject(error);
          },
        );
    });
  };
  return dataSource;
}

interface DestroyableConnection {
  destroy?: () => void;
}

interface PostgresQueryRunner {
  releasePostgresConnection?: (error?: Error) => Promise<void>;
}

/**
 * A connection whose query failed because the database was out of reach is never lent again.
 *
 * mysql2 reports a query timeout (PROTOCOL_SEQUENCE_TIMEOUT) to its caller but keeps the
 * connection, still waiting for the late answer, and the pool then lends it to the next caller,
 * whose query queues behind the dead one and never even starts its own timer: against a paused
 * server that request hangs. Such a connection is destroyed.
 *
 * pg behaves alike after its client-side `query_timeout`, and a backend that was terminated
 * (57P01) was seen handed out once more; releasing a pg client *with an error* makes pg-pool
 * close it instead of pooling it. The query runner is released early: the transaction's
 * rollback then fails, which TypeORM ignores in favour of the original error.
 * (Listed in the MySQL and PostgreSQL options only; SQLite has no such failure.)
 */
@EventSubscriber()
export class DiscardBrokenConnections implements EntitySubscriberInterface {
  afterQuery(event: AfterQueryEvent): void {
    if (event.success) return;
    const runner = event.queryRunner;
    if (runner.connection.options.type === 'postgres') {
      if (!isDatabaseUnavailable(event.error)) return;
      const error = event.error instanceof Error ? event.error : new Error('connection unusable');
      void (runner as PostgresQueryRunner).releasePostgresConnection?.(error);
      return;
    }
    if ((event.error as { code?: unknown } | undefined)?.code !== 'PROTOCOL_SEQUENCE_TIMEOUT') return;
    const connection = (runner as { databaseConnection?: DestroyableConnection }).databaseConnection;
    connection?.destroy?.();
  }
}
