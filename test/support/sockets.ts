import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';

const WAIT_MS = 3000;

/** A connected socket.io client with the token; rejects with the connect_error otherwise. */
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

/** Resolves with what the server said (`revoked` payload) before it disconnected the socket. */
export function droppedWith(socket: Socket, withinMs: number): Promise<{ revoked: unknown; reason: string }> {
  let revoked: unknown;
  socket.on('revoked', (payload) => {
    revoked = payload;
  });
  return new Promise((resolve, reject) => {
    if (socket.disconnected) {
      reject(new Error('the socket was already disconnected'));
      return;
    }
    const timer = setTimeout(() => reject(new Error(`still connected after ${withinMs} ms`)), withinMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve({ revoked, reason });
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
