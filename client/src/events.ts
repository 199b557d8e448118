/**
 * The socket.io events of a Gatehouse server, as its own declarations
 * (src/realtime/socket-session.ts on the server) give them. The server's type-check compares
 * these with its declarations (test/client-library.e2e-spec.ts): a change on either side that
 * the other does not follow fails the build.
 */

/** Sent just before the server disconnects a socket whose token stopped being valid. */
export interface RevokedPayload {
  reason: 'revoked' | 'expired';
}

/** Sent to every socket just before the server disconnects it because the process is stopping. */
export interface ShutdownPayload {
  reason: 'server shutting down';
}

/** Sent to every socket of an account for each security event of the account (the audit log). */
export interface SecurityPayload {
  /** The event's name, e.g. `sign-in.succeeded`, `token.revoked`. */
  event: string;
  /** ISO 8601, UTC, to the millisecond. */
  at: string;
  address: string | null;
  client: string | null;
}

/** An event refused, or a handler that failed: the Birdhouse error shape. */
export interface SocketErrorBody {
  status: 'error';
  error: string;
  message?: string;
}

export interface WhoamiReply {
  status: 'ok';
  handle: string;
}

/** What the server sends. */
export interface ServerToClientEvents {
  revoked: (payload: RevokedPayload) => void;
  security: (payload: SecurityPayload) => void;
  shutdown: (payload: ShutdownPayload) => void;
  exception: (body: SocketErrorBody) => void;
}

/** What the server answers. */
export interface ClientToServerEvents {
  whoami: (ack: (reply: WhoamiReply) => void) => void;
}
