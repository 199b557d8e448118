import { createParamDecorator, type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { Namespace, Server, Socket } from 'socket.io';
import type { Clock } from '../clock/clock';
import type { BirdhouseErrorBody } from '../http/error-body';
import type { RevocationEvent } from '../tokens/revocation-bus';
import { type Session, sessionState } from '../tokens/session';

/** What Gatehouse keeps on `socket.data`: the session, set by the handshake before the socket connects. */
export interface GatehouseSocketData {
  session?: Session;
}

/** Sent to a socket just before the server disconnects it because its token stopped being valid. */
export type RevokedPayload = { reason: RevocationEvent['reason'] };

/** Sent to every socket just before the server disconnects it because the process is stopping. */
export type ShutdownPayload = { reason: 'server shutting down' };

/**
 * Sent to every socket of an account for each security event of the account (the audit log,
 * CONTRACT section 20): enough for a client to warn of a sign-in from a new device.
 */
export interface SecurityPayload {
  event: string;
  /** ISO 8601, UTC, to the millisecond. */
  at: string;
  address: string | null;
  client: string | null;
}

/** The events Gatehouse itself sends; extension gateways add theirs on their own typed server. */
export interface ServerToClientEvents {
  revoked: (payload: RevokedPayload) => void;
  security: (payload: SecurityPayload) => void;
  shutdown: (payload: ShutdownPayload) => void;
  exception: (body: BirdhouseErrorBody) => void;
}

/** The events Gatehouse itself answers (RealtimeGateway). */
export interface ClientToServerEvents {
  whoami: (ack: (reply: { status: 'ok'; handle: string }) => void) => void;
}

/** Instances talk through the RevocationBus, not through socket.io's server-side events. */
export type InterServerEvents = Record<string, never>;

/** A socket.io server as Gatehouse uses it: `socket.data` typed through socket.io's own parameters. */
export type GatehouseServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  GatehouseSocketData
>;
export type GatehouseNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  GatehouseSocketData
>;
export type GatehouseSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  GatehouseSocketData
>;

/** A socket admitted by the handshake; `data.session` is set before any gateway sees it. */
export type AuthenticatedSocket = GatehouseSocket & { data: Required<GatehouseSocketData> };

/** Every socket of the account is in this room: emit to it to reach all of the account's devices. */
export const accountRoom = (accountId: number): string => `account:${accountId}`;

/** Every socket opened with the token is in this room; revocation empties it. */
export const tokenRoom = (tokenId: number): string => `token:${tokenId}`;

/**
 * The session a socket was admitted with, whatever it has been through since; undefined if none.
 * Any socket of the application will do (an extension's gateway types its server as it likes):
 * only `data` is read.
 */
export function admittedSession(socket: { data?: GatehouseSocketData }): Session | undefined {
  return socket.data?.session;
}

/** The Clock of each socket.io server, registered as the handshake check is put in front of it. */
const clocks = new WeakMap<object, Clock>();

/** Called by HandshakeAuthenticator.protect: the server's sockets tell time by the application's Clock. */
export function useClock(server: object, clock: Clock): void {
  clocks.set(server, clock);
}

/** The time for a socket: its server's Clock (the application's), or the system's for a socket of no known server. */
function nowFor(socket: { nsp?: { server?: object } }): number {
  const server = socket.nsp?.server;
  return (server && clocks.get(server)?.now()) ?? Date.now();
}

/**
 * The session of an admitted socket whose token has not expired. A socket only outlives its
 * token until the next sweep, so a handler that acts for the account should ask through here
 * (or through @SocketSession) rather than read `socket.data` itself. A connected socket is a use
 * of its token, so only expiry applies here (sessionState without an idle timeout).
 */
export function sessionOf(
  socket: { data?: GatehouseSocketData; nsp?: { server?: object } },
  now: number = nowFor(socket),
): Session {
  const session = admittedSession(socket);
  if (!session || sessionState(session, now, null) !== 'live')
    throw new UnauthorizedException('the token is invalid, expired or revoked');
  return session;
}

/**
 * The Session of the socket that sent the message, in any gateway of the application:
 * `whoami(@SocketSession() session: Session)`. The handshake admits no socket without a valid
 * token, so the parameter is always a Session; a token that expired since the handshake makes
 * the handler fail with Unauthorized instead of running (see WsErrorFilter).
 */
export const SocketSession = createParamDecorator<undefined, Session>((_data: undefined, context: ExecutionContext) =>
  sessionOf(context.switchToWs().getClient<GatehouseSocket>()),
);
