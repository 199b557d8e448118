import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's own loggers print a failed or slow query together with its parameters. Parameters
 * here are password hashes and token hashes; no plain secret is ever passed as a parameter,
 * but this logger still prints only the statement and the error, never a parameter.
 */
export class QuietTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    const message = typeof error === 'string' ? error : error.message;
    // A lost registration race is an expected outcome, answered with 409 upstream.
    if (/Duplicate entry|UNIQUE constraint|duplicate key value violates unique constraint/.test(message)) return;
    this.logger.warn(`query failed: ${message} [${query.slice(0, 200)}]`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query.slice(0, 200)}`);
  }

  logSchemaBuild(message: string): void {
    this.logger.log(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
