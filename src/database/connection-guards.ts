import {
  type AfterQueryEvent,
  DataSource,
  type EntityMetadata,
  type EntitySubscriberInterface,
  type EntityTarget,
  EventSubscriber,
} from 'typeorm';

/**
 * What stands between a database that is missing, stopped or paused and a request that would
 * otherwise fail with a 500 or hang: a DataSource that refuses to be used before its schema is
 * ready, and two bounds that mysql2's pool lacks. A stopped or unreachable server is noticed at
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

interface PooledConnection {
  release(): void;
}

/**
 * mysql2's pool has no acquire timeout: once every connection is busy, a caller waits in the
 * queue until one is released, and against a paused server each is held for the whole query
 * timeout, then replaced by a new connection that spends the whole connect timeout failing.
 * A burst would wait several of those rounds. This bounds the wait for a connection (including
 * opening a new one); a connection that arrives after its caller gave up goes straight back.
 */
export function limitConnectionWait(dataSource: DataSource, timeoutMs: number): DataSource {
  if (dataSource.options.type !== 'mysql') return dataSource;
  const driver = dataSource.driver;
  const obtain = driver.obtainMasterConnection.bind(driver);
  driver.obtainMasterConnection = () =>
    new Promise((resolve, reject) => {
      let gaveUp = false;
      const timer = setTimeout(() => {
        gaveUp = true;
        reject(new ConnectionWaitTimeoutError(timeoutMs));
      }, timeoutMs);
      obtain().then(
        (connection: PooledConnection) => {
          if (gaveUp) return connection.release();
          clearTimeout(timer);
          resolve(connection);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (!gaveUp) reject(error);
        },
      );
    });
  return dataSource;
}

interface DestroyableConnection {
  destroy?: () => void;
}

/**
 * mysql2 reports a query timeout (PROTOCOL_SEQUENCE_TIMEOUT) to its caller but keeps the
 * connection, still waiting for the late answer, and the pool then lends it to the next caller,
 * whose query queues behind the dead one and never even starts its own timer: against a paused
 * server that request hangs. A connection whose query timed out is therefore destroyed, never
 * reused. (Listed in the MySQL options only; the SQLite driver has no such timeout.)
 */
@EventSubscriber()
export class DiscardTimedOutConnections implements EntitySubscriberInterface {
  afterQuery(event: AfterQueryEvent): void {
    if (event.success || (event.error as { code?: unknown } | undefined)?.code !== 'PROTOCOL_SEQUENCE_TIMEOUT') return;
    const connection = (event.queryRunner as { databaseConnection?: DestroyableConnection }).databaseConnection;
    connection?.destroy?.();
  }
}
