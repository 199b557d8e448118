import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket as ClientSocket } from 'socket.io-client';

/** A connected socket; rejects on connect_error. */
export async function connect(url: string, token: string): Promise<ClientSocket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connect within 5 s')), 5_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return socket;
}

/** Records the order of `revoked` and `disconnect`, and when the socket went. */
export function watch(socket: ClientSocket) {
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
