import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GatedDataSource } from './connection-guards';
import { describeDatabaseError, isMissingDatabase } from './database-errors';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

/**
 * Opens the database and applies pending migrations, in the background and for as long as it
 * takes. The HTTP server starts at once: while the database is out of reach every request that
 * needs it answers 503 and /health says so, and the service becomes ready by itself when the
 * database appears (retrying without end, the pause doubling from 250 ms to at most 5 s, one log
 * line per failed attempt). Entity operations are refused with 503 until the migrations are
 * done (see GatedDataSource), so no request ever meets a half-built schema.
 */
@Injectable()
export class DatabaseConnector implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private connecting?: Promise<void>;
  private stopped = false;
  private wake?: () => void;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get isReady(): boolean {
    return this.dataSource.isInitialized && this.migrated;
  }

  private migrated = false;

  /** Starts connecting (once) and resolves when the database is ready. */
  connect(): Promise<void> {
    this.connecting ??= this.connectWithRetry();
    return this.connecting;
  }

  /** One attempt, for the command line: rejects at once when the database cannot be opened. */
  async connectOnce(): Promise<void> {
    await this.attempt();
  }

  private async connectWithRetry(): Promise<void> {
    let delay = FIRST_RETRY_MS;
    let toldMissing = false;
    for (;;) {
      if (this.stopped) throw new Error('shutting down');
      let failure: unknown;
      try {
        await this.attempt();
      } catch (error) {
        failure = error ?? new Error('unknown error');
      }
      if (this.stopped) {
        // The application closed while this attempt was under way: leave no pool open behind it.
        if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
        throw new Error('shutting down');
      }
      if (failure === undefined) {
        this.logger.log('database ready');
        return;
      }
      if (!isMissingDatabase(failure)) {
        toldMissing = false;
        this.logger.warn(`database not ready (${describeDatabaseError(failure)}); retrying in ${delay} ms`);
      } else if (!toldMissing) {
        // Waiting will not help until someone creates it: say so once, then keep retrying quietly.
        toldMissing = true;
        this.logger.error(`${missingDatabaseHint(this.dataSource)}; retrying quietly until it exists`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  private async attempt(): Promise<void> {
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    if (this.stopped) return;
    if (!this.migrated) {
      await this.dataSource.runMigrations({ transaction: 'each' });
      this.migrated = true;
    }
    if (this.dataSource instanceof GatedDataSource) this.dataSource.schemaReady();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
  }
}

/** What to tell the owner when the database named in DATABASE_URL does not exist. */
export function missingDatabaseHint(dataSource: DataSource): string {
  const { type } = dataSource.options;
  const url = (dataSource.options as { url?: string }).url;
  const name = url ? decodeURIComponent(new URL(url).pathname.slice(1)) : 'gatehouse';
  const create =
    type === 'postgres'
      ? `CREATE DATABASE "${name.replaceAll('"', '""')}" (e.g. createdb ${name})`
      : `CREATE DATABASE \`${name.replaceAll('`', '``')}\` CHARACTER SET utf8mb4`;
  return `database ${name} does not exist: create it with ${create}`;
}
