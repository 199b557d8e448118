import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { type AppConfig, ConfigError, loadConfig } from './config/config';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`gatehouse: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  const app = await createApp(config, { logger: new ConsoleLogger({ json: true }) });
  app.enableShutdownHooks();
  await app.listen(config.port);
  new Logger('Gatehouse').log(`listening on port ${config.port}`);
}

void main();
