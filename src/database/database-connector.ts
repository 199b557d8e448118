import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GatedDataSource } from './connection-guards';

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
      this.logger.warn(`database not ready (${describe(failure)}); retrying in ${delay} ms`);
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

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return code;
    if (typeof message === 'string') return message.slice(0, 200);
  }
  return 'unknown error';
}
