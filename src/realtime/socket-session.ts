import { createParamDecorator, type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { Session } from '../tokens/session';

/** What Gatehouse keeps on `socket.data` of every socket it admitted. */
export interface GatehouseSocketData {
  session: Session;
}

/** A socket admitted by the handshake; `data.session` is set before any gateway sees it. */
export type AuthenticatedSocket = Socket & { data: GatehouseSocketData };

/** Every socket of the account is in this room: emit to it to reach all of the account's devices. */
export const accountRoom = (accountId: number): string => `account:${accountId}`;

/** Every socket opened with the token is in this room; revocation empties it. */
export const tokenRoom = (tokenId: number): string => `token:${tokenId}`;

/** The session a socket was admitted with, whatever it has been through since; undefined if none. */
export function admittedSession(socket: Socket): Session | undefined {
  const data = socket.data as Partial<GatehouseSocketData> | undefined;
  return data?.session;
}

/**
 * The session of an admitted socket whose token has not expired. A socket only outlives its
 * token until the next sweep, so a handler that acts for the account should ask through here
 * (or through @SocketSession) rather than read `socket.data` itself.
 */
export function sessionOf(socket: Socket, now = Date.now()): Session {
  const session = admittedSession(socket);
  if (!session || session.expiresAt <= now) throw new UnauthorizedException('the token is invalid, expired or revoked');
  return session;
}

/**
 * The Session of the socket that sent the message, in any gateway of the application:
 * `whoami(@SocketSession() session: Session)`. The handshake admits no socket without a valid
 * token, so the parameter is always a Session; a token that expired since the handshake makes
 * the handler fail with Unauthorized instead of running (see WsErrorFilter).
 */
export const SocketSession = createParamDecorator<undefined, Session>((_data: undefined, context: ExecutionContext) =>
  sessionOf(context.switchToWs().getClient<Socket>()),
);
