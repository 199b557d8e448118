import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = 'open' | 'cut' | 'stalled';

/**
 * A TCP relay on 127.0.0.1 between the application and a database server, so that a test can
 * make the database vanish or freeze without touching the real server:
 *
 * - `cut()` destroys every relayed connection and closes each new one as soon as it arrives,
 *   as a stopped or unreachable server would.
 * - `stall()` keeps every connection open (new ones are accepted too) but forwards no byte in
 *   either direction, as a paused server would: clients only notice through their timeouts.
 *   Bytes that arrive meanwhile are held, not dropped.
 * - `resume()` relays again; held bytes are delivered in order.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private readonly server: Server;
  /** Connections accepted since the proxy started, whatever became of them. */
  accepted = 0;
  port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    private mode: ProxyMode,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  /** Listens on a free port of 127.0.0.1 and relays to targetHost:targetPort. */
  static async start(targetHost: string, targetPort: number, mode: ProxyMode = 'open'): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort, mode);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => {
        proxy.server.off('error', reject);
        resolve();
      });
    });
    const address = proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
    proxy.port = address.port;
    return proxy;
  }

  /** Connections currently relayed (or held, while stalled). */
  get open(): number {
    return this.pairs.size;
  }

  cut(): void {
    this.mode = 'cut';
    for (const pair of this.pairs) pair.destroy();
    this.pairs.clear();
  }

  stall(): void {
    this.mode = 'stalled';
    for (const pair of this.pairs) pair.pause();
  }

  resume(): void {
    this.mode = 'open';
    for (const pair of this.pairs) pair.resume();
  }

  /** Destroys every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    client.on('error', () => undefined);
    if (this.mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    upstream.on('error', () => undefined);
    const pair = new Pair(client, upstream, () => this.pairs.delete(pair));
    this.pairs.add(pair);
    if (this.mode === 'stalled') pair.pause();
  }
}

/**
 * One relayed connection, forwarded by hand rather than with pipe(): pipe() resumes a source on
 * 'drain', which would let bytes through while stalled. A paused socket stops reading, so
 * nothing is lost and nothing is forwarded until it resumes.
 */
class Pair {
  private closed = false;
  private stalled = false;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly onClose: () => void,
  ) {
    this.relay(client, upstream);
    this.relay(upstream, client);
  }

  pause(): void {
    this.stalled = true;
    this.client.pause();
    this.upstream.pause();
  }

  resume(): void {
    this.stalled = false;
    this.client.resume();
    this.upstream.resume();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.upstream.destroy();
    this.onClose();
  }

  private relay(from: Socket, to: Socket): void {
    from.on('data', (chunk) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (!this.stalled) from.resume();
    });
    from.on('end', () => to.end());
    from.on('close', () => this.destroy());
  }
}
