import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { classifyRedisError, describeRedisError } from './shared-store-errors';
import { SocketAdapterConnections } from './socket-adapter';

/** Injection token of the SharedStore, or of null when REDIS_URL is not set. */
export const SHARED_STORE = Symbol('SHARED_STORE');

/** A connection attempt to an unreachable (not refusing) host gives up after this long. */
const CONNECT_TIMEOUT_MS = 2_000;
/** A command that has no answer after this long fails: the request gets 503 instead of hanging. */
const COMMAND_TIMEOUT_MS = 1_000;

export type RedisScript = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * The Redis connections shared by every instance of a deployment (REDIS_URL): one for commands
 * (counters, scripts, publishing) and one in subscriber mode, which can do nothing else.
 *
 * Commands fail fast instead of waiting for Redis: no offline queue (a command sent while the
 * connection is down fails at once), one retry, a command timeout. The connections keep
 * reconnecting in the background with ioredis's capped back-off, and every key and channel
 * carries REDIS_PREFIX, so that several deployments (or parallel test runs) can share a server.
 *
 * Failure policy while Redis is unreachable (README, "Several instances"):
 * - the counters fail closed: a command's failure is a SharedStoreUnavailableError, which the
 *   HTTP filter answers with 503, so sign-in (and registration while the per-address limit is on)
 *   is refused for now, never let through uncounted, never a 500 or a hang. Counting in memory
 *   instead would give every instance, and whoever can cut Redis off, fresh budgets;
 * - revocations fail open: they live in the database, the revoking instance acts on them at
 *   once, and RedisRevocationBus only logs a failed publish; other instances fall back to the
 *   token cache's 750 ms and the socket sweep, which already meet the contract.
 */
export class SharedStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SharedStore');
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  /** Both connections have either become ready or failed once (or the connect timeout passed). */
  private readonly settled: Promise<void>;
  private closed = false;
  /** Created by the first socket.io server that asks (the owner's command line never does). */
  private sockets?: SocketAdapterConnections;

  constructor(
    private readonly url: string,
    readonly prefix: string,
  ) {
    const common: RedisOptions = { connectTimeout: CONNECT_TIMEOUT_MS, lazyConnect: false };
    this.commands = new Redis(url, {
      ...common,
      keyPrefix: prefix,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
    });
    // Subscriptions wait for the connection instead of failing, and ioredis renews them after
    // every reconnection; no command timeout: a subscriber connection waits by design.
    this.subscriber = new Redis(url, { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.report(this.commands, 'commands');
    this.report(this.subscriber, 'subscriber');
    this.settled = Promise.all([settle(this.commands), settle(this.subscriber)]).then(() => undefined);
  }

  /**
   * Start-up waits for the connections, so that the first requests find them ready, but never
   * longer than the connect timeout: an unreachable Redis does not keep the service from
   * starting (see the failure policy in README).
   */
  async onModuleInit(): Promise<void> {
    await this.settled;
    if (this.commands.status !== 'ready') {
      this.logger.warn('Redis is not reachable at start-up: sign-in answers 503 until it is');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.sockets?.close();
    await Promise.all([close(this.commands), close(this.subscriber)]);
  }

  /** The socket.io adapter that makes rooms span every instance (see socket-adapter.ts). */
  socketAdapter(): ReturnType<SocketAdapterConnections['adapter']> {
    this.sockets ??= new SocketAdapterConnections(this.url, this.prefix, CONNECT_TIMEOUT_MS);
    return this.sockets.adapter();
  }

  /** Whether the command connection is up, as last seen: for metrics, no round trip. */
  get isConnected(): boolean {
    return this.commands.status === 'ready';
  }

  /** Whether Redis answers a PING now (within the command timeout): for /health. */
  async ping(): Promise<boolean> {
    if (!this.isConnected) return false;
    try {
      return (await this.commands.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /**
   * A Lua script run atomically on the server (EVALSHA, falling back to EVAL). Keys get the
   * prefix; failures become SharedStoreUnavailableError unless they are bugs.
   */
  defineScript(name: string, numberOfKeys: number, lua: string): RedisScript {
    this.commands.defineCommand(name, { numberOfKeys, lua });
    const run = (this.commands as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[name];
    return (keys, args) => this.call(() => run.call(this.commands, ...keys, ...args));
  }

  del(key: string): Promise<unknown> {
    return this.call(() => this.commands.del(key));
  }

  /** Publishes on the prefixed channel; channel names, unlike keys, are prefixed here. */
  publish(channel: string, message: string): Promise<unknown> {
    return this.call(() => this.commands.publish(this.prefix + channel, message));
  }

  /**
   * Calls `listener` with every message on the prefixed channel. Resolves once Redis confirmed
   * the subscription, or at once when Redis is not reachable yet: the subscription is then sent
   * when it becomes reachable.
   */
  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    const name = this.prefix + channel;
    this.subscriber.on('message', (from: string, message: string) => {
      if (from === name) listener(message);
    });
    await this.settled;
    const subscribed = this.subscriber.subscribe(name).catch((error: unknown) => {
      if (!this.closed) this.logger.warn(`could not subscribe to ${channel}: ${describeRedisError(error)}`);
    });
    if (this.subscriber.status === 'ready') await subscribed;
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw classifyRedisError(error);
    }
  }

  /** One warning when a connection fails, one line when it is back; never the URL. */
  private report(connection: Redis, role: string): void {
    let failing = false;
    connection.on('error', (error: unknown) => {
      if (failing || this.closed) return;
      failing = true;
      this.logger.warn(`Redis ${role} connection failed (${describeRedisError(error)}); retrying in the background`);
    });
    connection.on('ready', () => {
      if (failing) this.logger.log(`Redis ${role} connection is back`);
      failing = false;
    });
  }
}

/**
 * QUIT lets replies still in flight (a last PUBLISH) arrive; a connection that is down, or does
 * not answer QUIT in time, is cut. Either way ioredis stops reconnecting, so the process can end.
 */
async function close(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const quit = connection.quit().then(
      () => true,
      () => false,
    );
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), COMMAND_TIMEOUT_MS);
    });
    const quitted = await Promise.race([quit, late]);
    clearTimeout(timer);
    if (quitted) return;
  }
  connection.disconnect();
}

/** Resolves when the connection is ready, has failed once, or CONNECT_TIMEOUT_MS has passed. */
function settle(connection: Redis): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      connection.off('ready', done);
      connection.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, CONNECT_TIMEOUT_MS + 500);
    timer.unref();
    connection.once('ready', done);
    connection.once('error', done);
  });
}
