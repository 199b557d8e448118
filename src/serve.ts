// Only the configuration and the port check are loaded before the checks run: a bad value or a
// taken port is reported at once, before Nest and Gatehouse's modules are even read (the added
// modules are, to check their configuration namespaces too).
import type { Type } from '@nestjs/common';
import { type AppConfig, ConfigError, configSource, loadConfig } from './config/config';
import { checkPortFree } from './lifecycle/port-check';

/**
 * The server as a process (`npm start`): checks the configuration, Gatehouse's and the added
 * modules' (loaded by `modules`), and the ports, then builds the application and serves until
 * SIGTERM or SIGINT.
 */
export async function serve(modules: () => Promise<Type[]>): Promise<void> {
  let config: AppConfig;
  let added: Type[];
  try {
    config = loadConfig();
    await import('reflect-metadata');
    added = await modules();
    const { parseNamespaces } = await import('./config/config-namespace');
    const { configNamespacesOf } = await import('./extension/gatehouse-module');
    const { SecretsConfig } = await import('./secrets/secrets.config');
    const { TwoFactorConfig } = await import('./two-factor/two-factor.config');
    const { AuditConfig } = await import('./audit/audit.config');
    const { AccessTokensConfig, IntrospectionConfig } = await import('./access-tokens/access-tokens.config');
    const { PasskeyRelyingParty, PasskeysSwitch } = await import('./passkeys/passkeys.config');
    parseNamespaces(configSource(config), [
      TwoFactorConfig,
      SecretsConfig,
      AuditConfig,
      AccessTokensConfig,
      IntrospectionConfig,
      PasskeysSwitch,
      PasskeyRelyingParty,
      ...configNamespacesOf(added),
    ]);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`gatehouse: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  // Before anything is built or connected: a taken port is one line, at once.
  await checkPortFree('PORT', config.port, config.host);
  if (config.metricsPort !== null) await checkPortFree('METRICS_PORT', config.metricsPort, config.host);
  const { ConsoleLogger, Logger } = await import('@nestjs/common');
  const { createApp } = await import('./app.factory');
  const { DRAIN_TIMEOUT_MS } = await import('./lifecycle/graceful-shutdown');
  /** The whole shutdown, draining included, may take this long before the process is ended. */
  const SHUTDOWN_TIMEOUT_MS = DRAIN_TIMEOUT_MS + 5_000;
  const logger = new Logger('Gatehouse');
  const app = await createApp(config, { modules: added, logger: new ConsoleLogger({ json: true }) });
  // Once the database is open: a key that cannot decrypt the stored secrets stops the server.
  const { SecretsKeyCheck } = await import('./two-factor/secrets-key-check');
  void app.get(SecretsKeyCheck).refused.then((reason) => {
    process.stderr.write(`gatehouse: cannot start: ${reason}\n`);
    process.exit(1);
  });

  // SIGTERM or SIGINT: stop accepting, let in-flight requests finish, close sockets with a
  // reason, close the pool, exit 0 (see GracefulShutdown). A second signal is ignored.
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms: exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    try {
      await app.close();
      logger.log('stopped');
      process.exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));

  if (config.host === null) await app.listen(config.port);
  else await app.listen(config.port, config.host);
  logger.log(`listening on ${config.host ?? 'every interface'}, port ${config.port}`);
}

/** `serve`, ending the process with one line (no stack trace) when it cannot start, e.g. a port is taken. */
export function serveProcess(modules: () => Promise<Type[]>): void {
  serve(modules).catch((error: unknown) => {
    process.stderr.write(`gatehouse: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
