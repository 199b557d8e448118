import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory';
import { type ConfigKey, parseConfig } from '../../src/config/config';
import { after, before } from 'node:test';
import { DatabaseConnector } from '../../src/database/database-connector';
import type { Clock } from '../../src/clock/clock';
import type { SecurityEvent } from '../../src/events/security-event';
import type { TestDatabase } from './engines';

/** The secrets key of every app a test starts, unless it says otherwise. */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

export interface RunningApp {
  app: NestExpressApplication;
  /** The security events the app wrote, in order (parsed from its JSON lines). */
  events: SecurityEvent[];
  url: string;
  port: number;
  /** How long startApp took, from creating the app to answering (and, by default, migrated). */
  startedInMs: number;
  close(): Promise<void>;
}

/**
 * Test defaults: the cheapest bcrypt cost and no per-address rate limit, unless a test says; a
 * fixed secrets key, so that no test writes a key file into the working directory.
 */
const TEST_ENV: Partial<Record<ConfigKey, string>> & Record<string, string> = {
  BCRYPT_COST: '4',
  RATE_LIMIT_PER_MINUTE: '0',
  LOGIN_MAX_FAILURES: '1000',
  SECRETS_KEY: TEST_SECRETS_KEY,
};

export interface StartOptions {
  /**
   * Resolve only once the database is open and migrated (the default). With false the app is
   * listening but may still be retrying its connection, as a real one does when it starts
   * before its database.
   */
  waitForDatabase?: boolean;
  /** The app's time source (default: the system clock). */
  clock?: Clock;
  /** The port of 127.0.0.1 to listen on (default: any free one); a page on http://localhost:<port> needs it known first. */
  port?: number;
}

/**
 * Boots the real application on the test database (or any database URL: one nothing answers
 * at, with waitForDatabase false) and a free port of 127.0.0.1.
 */
/** Gatehouse's variables, and those of the modules' configuration namespaces. */
export type TestEnv = Partial<Record<ConfigKey, string>> & Record<string, string>;

export async function startApp(
  db: Pick<TestDatabase, 'url'>,
  env: TestEnv = {},
  modules: Type[] = [],
  { waitForDatabase = true, clock, port: fixedPort = 0 }: StartOptions = {},
): Promise<RunningApp> {
  const started = performance.now();
  const config = parseConfig({ ...TEST_ENV, DATABASE_URL: db.url, ...env });
  const events: SecurityEvent[] = [];
  const app = await createApp(config, {
    logger: false,
    modules,
    clock,
    events: { sink: (line) => events.push(JSON.parse(line) as SecurityEvent) },
  });
  try {
    await app.listen(fixedPort, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  if (waitForDatabase) await app.get(DatabaseConnector).connect();
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const startedInMs = performance.now() - started;
  return { app, events, port, url: `http://127.0.0.1:${port}`, startedInMs, close: () => app.close() };
}

/**
 * Starts the app before the enclosing suite's tests and closes it after them; returns a getter
 * for it (the app exists from the suite's `before` hook on). Takes what startApp takes; `env`
 * may be a function, read when the suite starts, for values known only then (a private Redis's
 * URL). Every spec file starts its apps with this, or with startApp where a test owns the app's
 * lifetime (it breaks the app, or measures its start).
 */
export function appPerSuite(
  db: () => TestDatabase,
  env: TestEnv | (() => TestEnv) = {},
  modules: Type[] = [],
  options: StartOptions = {},
): () => RunningApp {
  let running: RunningApp | undefined;
  before(async () => {
    running = await startApp(db(), typeof env === 'function' ? env() : env, modules, options);
  });
  after(async () => {
    await running?.close();
  });
  return () => {
    if (!running) throw new Error('the app has not started yet');
    return running;
  };
}
