import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';

const WAIT_MS = 3000;

/** A socket.io client connected with `token`; rejects with the connect_error otherwise. */
export function openSocket(url: string, token: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: WAIT_MS, auth: { token } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no connect within ${WAIT_MS} ms`));
    }, WAIT_MS);
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
      resolve(Date.now());
    }),
  );
  return {
    events,
    /** When the socket was disconnected, or NaN if it was not within `ms`. */
    disconnectedAt: (ms: number) => Promise.race([gone, sleep(ms).then(() => Number.NaN)]),
  };
}
