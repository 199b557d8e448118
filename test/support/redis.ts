import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import Redis from 'ioredis';
import { SharedStore } from '../../src/shared-store/shared-store';
import { freePort } from './process';

/** The Redis server the shared-store specs use; other people use it too (see testPrefix). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

const where = new URL(TEST_REDIS_URL).host;

/**
 * Sends PING and waits for +PONG, in a child process so that the answer is known when the
 * suites are declared (node:test needs `skip` then). Null when Redis answered, else why not.
 */
function probe(): string | null {
  const script = `
    const url = new URL(process.argv[1]);
    const socket = require('node:net').connect({ host: url.hostname.replace(/^\\[|\\]$/g, ''), port: Number(url.port || 6379) });
    const fail = (why) => { process.stdout.write(why); process.exit(1); };
    socket.setTimeout(2000, () => fail('no answer within 2 s'));
    socket.on('error', (error) => fail(error.code || error.message));
    socket.on('connect', () => socket.write('PING\\r\\n'));
    socket.on('data', (data) => (String(data).startsWith('+PONG') ? process.exit(0) : fail(String(data).trim())));
  `;
  const run = spawnSync(process.execPath, ['-e', script, TEST_REDIS_URL], { encoding: 'utf8', timeout: 10_000 });
  return run.status === 0 ? null : run.stdout.trim() || 'no answer';
}

const unreachable = probe();

/**
 * Skip reason for suites that need Redis, false when it answers. Under CI an unreachable Redis
 * is not a reason to skip: the suites run and assertRedisReachable fails them.
 */
export const REDIS_SKIP: string | false =
  unreachable !== null && process.env.CI !== 'true'
    ? `Redis is not reachable at ${where} (${unreachable}): Redis specs skipped`
    : false;

/** For a `before` hook of every suite that needs Redis. */
export function assertRedisReachable(): void {
  if (unreachable !== null)
    throw new Error(`Redis is not reachable at ${where} (${unreachable}): under CI the Redis specs are required`);
}

/** A key prefix no other test (in this process or another) uses. */
export function testPrefix(): string {
  return `gatehouse-test:${process.pid}:${randomBytes(6).toString('hex')}:`;
}

/** A plain connection to the test server, for looking at keys and publishing by hand. */
export function rawRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

/**
 * For a suite of a Redis-backed store: a connected SharedStore under a prefix no one else uses
 * and a plain connection to look at its keys, opened before the suite and closed after it, the
 * keys dropped. Read them inside tests (they are set by the suite's `before`).
 */
export function sharedStoreSuite(): { prefix: string; shared: () => SharedStore; raw: () => Redis } {
  const prefix = testPrefix();
  let shared: SharedStore | undefined;
  let raw: Redis | undefined;
  before(async () => {
    assertRedisReachable();
    shared = new SharedStore(TEST_REDIS_URL, prefix);
    await shared.onModuleInit();
    raw = rawRedis();
  });
  after(async () => {
    await shared?.onApplicationShutdown();
    raw?.disconnect();
    await dropPrefix(prefix);
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('sharedStoreSuite: used outside a test of its suite');
    return value;
  };
  return { prefix, shared: () => opened(shared), raw: () => opened(raw) };
}

/** Deletes every key under the prefix (they expire anyway; this keeps the server tidy). */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = rawRedis();
  try {
    for (const keys of await keysUnder(redis, prefix)) if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** Every key under the prefix, in SCAN batches. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[][]> {
  const batches: string[][] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    batches.push(keys);
    cursor = next;
  } while (cursor !== '0');
  return batches;
}

/**
 * A redis-server of the test's own, on a free port of 127.0.0.1, with no persistence, so that a
 * test can stop it and start it again without touching the shared server. It is started and
 * stopped by the PID of the child process it runs as.
 */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.resume();
    return redis;
  }

  /** Starts the server on the same port; resolves when it answers PING. */
  async resume(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 500,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        // not up yet
      } finally {
        probe.disconnect();
      }
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops the server (SIGKILL by PID, as a crash would) and resolves once the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid!, 'SIGKILL');
    await gone;
  }
}
