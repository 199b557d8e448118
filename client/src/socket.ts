import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, WhoamiReply } from './events';

/** A map of events to their listeners, as socket.io types it. */
type EventsMap = { [event: string]: any };

/** No events beyond Gatehouse's own. */
type NoEvents = Record<never, never>;

/**
 * A socket of Gatehouse: its own events, plus those of the server's extension modules
 * (`Listen` for what they send, `Emit` for what they answer).
 */
export type GatehouseSocket<Listen extends EventsMap = NoEvents, Emit extends EventsMap = NoEvents> = Socket<
  ServerToClientEvents & Listen,
  ClientToServerEvents & Emit
>;

export interface SocketConnectOptions extends Partial<ManagerOptions & SocketOptions> {
  /** The token, presented in the handshake as `auth: { token }`. */
  token: string;
}

/**
 * Opens a socket to the server at `baseUrl` (`undefined`: the page's own origin) on the default
 * namespace and path. A handshake with a bad token ends in `connect_error` with the message
 * `Unauthorized` (drop the token), `Forbidden` (a token that may not open sockets) or
 * `Too Many Requests`; it never connects.
 */
export function connectSocket<Listen extends EventsMap = NoEvents, Emit extends EventsMap = NoEvents>(
  baseUrl: string | undefined,
  { token, ...options }: SocketConnectOptions,
): GatehouseSocket<Listen, Emit> {
  const socket =
    baseUrl === undefined ? io({ ...options, auth: { token } }) : io(baseUrl, { ...options, auth: { token } });
  return socket as unknown as GatehouseSocket<Listen, Emit>;
}

/** Asks the server whose token the socket holds (`whoami`, acknowledged). */
export function whoami(socket: GatehouseSocket, timeoutMs = 5000): Promise<WhoamiReply> {
  return (socket as Socket<ServerToClientEvents, ClientToServerEvents>).timeout(timeoutMs).emitWithAck('whoami');
}

/**
 * How a socket's handshake ended:
 * - `connected`;
 * - `unauthorized`: the token is no good (drop it, sign in again);
 * - `forbidden`: the token is good but may not open sockets: an access token without the `socket`
 *   scope, or a token the server restricts until two-factor sign-in is set up (keep it);
 * - `limited`: too many refused tokens from this address (wait a minute);
 * - `failed`: anything else (the server unreachable, a timeout), with socket.io's message.
 */
export type HandshakeOutcome =
  | { kind: 'connected' }
  | { kind: 'unauthorized' }
  | { kind: 'forbidden' }
  | { kind: 'limited' }
  | { kind: 'failed'; message: string };

/** Waits for the socket's first `connect` or `connect_error` and says which, typed. */
export function handshake(socket: GatehouseSocket, timeoutMs = 10_000): Promise<HandshakeOutcome> {
  if (socket.connected) return Promise.resolve({ kind: 'connected' });
  return new Promise((resolve) => {
    const done = (outcome: HandshakeOutcome) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      resolve(outcome);
    };
    const onConnect = () => done({ kind: 'connected' });
    const onError = (error: Error) =>
      done(
        error.message === 'Unauthorized'
          ? { kind: 'unauthorized' }
          : error.message === 'Forbidden'
            ? { kind: 'forbidden' }
            : error.message === 'Too Many Requests'
              ? { kind: 'limited' }
              : { kind: 'failed', message: error.message },
      );
    const timer = setTimeout(() => done({ kind: 'failed', message: 'timeout' }), timeoutMs);
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}
