import { setTimeout as sleep } from 'node:timers/promises';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

const WAIT_MS = 3000;

export type ClientOptions = Partial<ManagerOptions & SocketOptions>;

/** Every socket these helpers made, until closeSockets() closes them. */
const opened = new Set<Socket>();

/**
 * A socket.io client of `url` (a namespace may follow the port) that is not awaited: for tests
 * of the handshake itself. closeSockets() closes it if the test does not.
 */
export function clientSocket(url: string, options: ClientOptions = {}, waitMs = WAIT_MS): Socket {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: waitMs,
    ...options,
  });
  opened.add(socket);
  socket.once('disconnect', () => opened.delete(socket));
  return socket;
}

/** Closes every socket the helpers opened and the test left open (for after/afterEach). */
export function closeSockets(): void {
  for (const socket of opened) socket.close();
  opened.clear();
}

/**
 * A socket.io client connected with `token` (or with the given client options: auth, headers,
 * query); rejects with the connect_error otherwise.
 */
export function openSocket(url: string, credentials: string | ClientOptions, waitMs = WAIT_MS): Promise<Socket> {
  const options = typeof credentials === 'string' ? { auth: { token: credentials } } : credentials;
  const socket = clientSocket(url, options, waitMs);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no connect within ${waitMs} ms`));
    }, waitMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });
}

/** The connect_error message of a refused handshake; fails if the socket connects or nothing happens. */
export function refusal(url: string, options: ClientOptions, waitMs = WAIT_MS): Promise<string> {
  const socket = clientSocket(url, options, waitMs);
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`neither connect nor connect_error within ${waitMs} ms`)),
      waitMs + 1000,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      reject(new Error(`connected with ${JSON.stringify(options).slice(0, 300)}`));
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
  }).finally(() => socket.close());
}

/** The built-in `whoami` event's acknowledgement. */
export const whoami = (socket: Socket, waitMs = WAIT_MS): Promise<{ status: string; handle?: string }> =>
  socket.timeout(waitMs).emitWithAck('whoami');

export interface Dropped {
  /** What the server sent in `revoked` just before the disconnect (undefined if nothing). */
  revoked: unknown;
  reason: string;
  /** When the disconnect arrived (performance.now()). */
  at: number;
}

/**
 * Resolves when the server disconnects the socket; rejects if it is already disconnected, or
 * still connected after `withinMs`. Call it before the revocation, so that no event is missed.
 */
export function dropped(socket: Socket, withinMs: number): Promise<Dropped> {
  let revoked: unknown;
  socket.on('revoked', (payload) => {
    revoked = payload;
  });
  return new Promise((resolve, reject) => {
    if (socket.disconnected) {
      reject(new Error('the socket was already disconnected'));
      return;
    }
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`still connected after ${withinMs} ms`));
    }, withinMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve({ revoked, reason, at: performance.now() });
    });
  });
}

/** Records the order of `revoked` and `disconnect`, and when the socket went. */
export function watch(socket: Socket) {
  const events: string[] = [];
  socket.on('revoked', (payload: unknown) => events.push(`revoked:${JSON.stringify(payload)}`));
  const gone = new Promise<number>((resolve) =>
    socket.once('disconnect', () => {
      events.push('disconnect');
      resolve(performance.now());
    }),
  );
  return {
    events,
    /** When the socket was disconnected (performance.now()), or NaN if it was not within `ms`. */
    disconnectedAt: (ms: number) => Promise.race([gone, sleep(ms).then(() => Number.NaN)]),
  };
}

/**
 * openSocket and refusal bound to a running application's URL (read when called), on the
 * default namespace or the one given.
 */
export function socketsOf(url: () => string): {
  open: (options: ClientOptions, namespace?: string) => Promise<Socket>;
  refusal: (options: ClientOptions, namespace?: string) => Promise<string>;
} {
  return {
    open: (options, namespace = '/') => openSocket(`${url()}${namespace}`, options),
    refusal: (options, namespace = '/') => refusal(`${url()}${namespace}`, options),
  };
}
