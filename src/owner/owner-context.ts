import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '../config/config';
import type { EntryPoint } from '../events/security-event';
import { OwnerModule } from './owner.module';
import { OwnerService } from './owner.service';

/**
 * Boots just enough of Gatehouse for the owner's operations. The configuration is read here,
 * not at start-up, so that --help works with a broken environment.
 */
export function openOwnerContext(
  via: EntryPoint,
  logger: LoggerService | false = false,
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(OwnerModule.forRoot(loadConfig(), via), {
    logger,
    // Nest would otherwise abort the process on a failed start-up, leaving no chance to explain.
    abortOnError: false,
  });
}

/**
 * One command line's worth of owner work, closing the context afterwards: the database pool
 * and the hashing threads would otherwise keep the process alive. The command prints its own
 * result and its own one-line reason for a failure, so Nest logs nothing.
 */
export async function withOwnerService<T>(work: (owner: OwnerService) => Promise<T>): Promise<T> {
  const context = await openOwnerContext('cli');
  try {
    return await work(context.get(OwnerService));
  } finally {
    await context.close();
  }
}
