import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { DatabaseConnector } from '../database/database-connector';
import { TokensService } from './tokens.service';

/** Deletes expired token rows every TOKEN_SWEEP_INTERVAL, in bounded batches. */
@Injectable()
export class ExpiredTokenSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Tokens');
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly tokens: TokensService,
    private readonly database: DatabaseConnector,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.tokenSweepIntervalMs);
    this.timer.unref();
  }

  async sweep(): Promise<void> {
    if (this.running || !this.database.isReady) return;
    this.running = true;
    try {
      const deleted = await this.tokens.deleteExpired();
      if (deleted > 0) this.logger.log(`deleted ${deleted} expired tokens`);
    } catch (error) {
      this.logger.warn(`expired-token sweep failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
