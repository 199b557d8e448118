import { NestFactory } from '@nestjs/core';
import { loadConfig } from '../config/config';
import { CliModule } from './cli.module';
import { OwnerService } from './owner.service';

/**
 * Boots just enough of Gatehouse for one owner command and closes it afterwards: the database
 * pool and the hashing threads would otherwise keep the process alive.
 */
export async function withOwnerService<T>(work: (owner: OwnerService) => Promise<T>): Promise<T> {
  // Read here, not at start-up, so that --help works with a broken environment.
  const config = loadConfig();
  const context = await NestFactory.createApplicationContext(CliModule.forRoot(config), {
    // The command prints its own result and its own one-line reason for a failure.
    logger: false,
    // Nest would otherwise abort the process on a failed start-up, leaving no chance to explain.
    abortOnError: false,
  });
  try {
    return await work(context.get(OwnerService));
  } finally {
    await context.close();
  }
}
