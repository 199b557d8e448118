import { createAdapter } from '@socket.io/redis-streams-adapter';
import Redis, { type RedisOptions } from 'ioredis';

/** Longest wait of one blocking read: also how long a reader may outlive the server when it is not closed by us. */
const BLOCK_MS = 2_000;
/** Entries kept in the stream (trimmed approximately): what a reader that lost its connection can catch up on. */
const STREAM_MAX_LENGTH = 10_000;
/** A publish that has no answer after this long fails, and the emit is delivered on this instance only. */
const PUBLISH_TIMEOUT_MS = 1_000;

/**
 * The Redis connections of the socket.io adapter, kept apart from SharedStore's command
 * connection (whose one-second timeout would cut the adapter's blocking reads) and from each
 * other: the adapter duplicates the client it is given for its stream readers and its pub/sub
 * subscriber, and those duplicates must wait for Redis instead of failing fast.
 *
 * - The publisher fails fast (no offline queue, a timeout): the adapter delivers an emit to this
 *   instance's sockets only after its publish settled, so a publish that waited for Redis would
 *   hold up local events during an outage.
 * - Readers and the subscriber queue their commands while Redis is away and retry without end:
 *   a reader resumes from the last entry it read, so nothing that reached the stream is lost
 *   over a short outage or a reconnection.
 */
class AdapterPublisher extends Redis {
  readonly duplicates = new Set<Redis>();

  override duplicate(override?: Partial<RedisOptions>): Redis {
    const copy = new Redis({
      ...this.options,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
      ...override,
    });
    settleFailures(copy, 'subscribe');
    this.duplicates.add(copy);
    copy.once('end', () => this.duplicates.delete(copy));
    return copy;
  }
}

/**
 * The adapter fires some commands without awaiting them (SUBSCRIBE on its subscriber; PUBLISH of
 * packets that expect acknowledgements, serverSideEmit, fetchSockets). During an outage, or when
 * close() cuts a connection with such a command pending, their promise rejects with nobody to
 * catch it, and an unhandled rejection would end the process. Such a failure is what the adapter
 * already tolerates (a publish reaches no other instance; ioredis re-subscribes on reconnect),
 * so it resolves instead.
 */
function settleFailures(client: Redis, command: 'publish' | 'subscribe'): void {
  const original = (client[command] as (...args: unknown[]) => Promise<unknown>).bind(client);
  Object.defineProperty(client, command, {
    value: (...args: unknown[]) => original(...args).catch(() => undefined),
  });
}

/** Cross-instance rooms for socket.io servers: one stream per deployment (REDIS_PREFIX), one set of connections. */
export class SocketAdapterConnections {
  private readonly publisher: AdapterPublisher;

  constructor(
    url: string,
    private readonly prefix: string,
    connectTimeoutMs: number,
  ) {
    this.publisher = new AdapterPublisher(url, {
      connectTimeout: connectTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: PUBLISH_TIMEOUT_MS,
    });
    // Failures are reported by SharedStore's own connections; the adapter's outcome is the emit's.
    this.publisher.on('error', () => undefined);
    settleFailures(this.publisher, 'publish');
  }

  /** An adapter constructor for one socket.io server (its `adapter` option). */
  adapter(): ReturnType<typeof createAdapter> {
    return createAdapter(this.publisher, {
      streamName: `${this.prefix}socket.io`,
      channelPrefix: `${this.prefix}socket.io`,
      maxLen: STREAM_MAX_LENGTH,
      blockTimeInMs: BLOCK_MS,
      onlyPlaintext: false,
    });
  }

  /** Cuts every connection at once: a reader blocked in XREAD would otherwise keep the process up to BLOCK_MS. */
  close(): void {
    for (const copy of this.publisher.duplicates) copy.disconnect();
    this.publisher.duplicates.clear();
    this.publisher.disconnect();
  }
}
