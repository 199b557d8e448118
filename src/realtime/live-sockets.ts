import { Injectable } from '@nestjs/common';
import type { Namespace, Server, Socket } from 'socket.io';
import type { RevocationEvent } from '../tokens/revocation-bus';
import { RecentRevocations } from './recent-revocations';
import { admittedSession, tokenRoom } from './socket-session';
import type { Session } from '../tokens/session';

/** Sent to a socket just before the server disconnects it because its token stopped being valid. */
export const REVOKED_EVENT = 'revoked';
export type RevokedPayload = { reason: RevocationEvent['reason'] };

/** Sent to every socket just before the server disconnects it because the process is stopping. */
export const SHUTDOWN_EVENT = 'shutdown';
export type ShutdownPayload = { reason: 'server shutting down' };

/** Long enough for any handshake still reading the database when the revocation was announced. */
const RECENT_REVOCATION_MS = 60_000;
const RECENT_REVOCATION_MAX = 100_000;

/**
 * Every socket.io server of the application and the sockets on them, across all namespaces:
 * the one place that knows how to make every socket of a token go.
 */
@Injectable()
export class LiveSockets {
  private readonly servers = new Set<Server>();
  readonly recentRevocations = new RecentRevocations(RECENT_REVOCATION_MS, RECENT_REVOCATION_MAX);

  track(server: Server): void {
    this.servers.add(server);
  }

  /** The session (token, known expiry and last use) of every connected socket. */
  *sessions(): Iterable<Session> {
    for (const namespace of this.namespaces()) {
      for (const socket of namespace.sockets.values()) {
        const session = admittedSession(socket);
        if (session) yield session;
      }
    }
  }

  /**
   * Tells every socket opened with one of the tokens why, then closes its connection. Rooms
   * make this one broadcast per namespace however many sockets there are.
   *
   * This instance's sockets only (`local`): with REDIS_URL every instance hears the revocation
   * on the RevocationBus and drops its own, so the rooms' cross-instance adapter must not carry
   * it a second time.
   */
  disconnectTokens(tokenIds: readonly number[], reason: RevocationEvent['reason']): void {
    if (tokenIds.length === 0) return;
    this.recentRevocations.add(tokenIds, Date.now());
    const rooms = tokenIds.map(tokenRoom);
    const payload: RevokedPayload = { reason };
    for (const namespace of this.namespaces()) {
      namespace.local.to(rooms).emit(REVOKED_EVENT, payload);
      namespace.local.in(rooms).disconnectSockets(true);
    }
  }

  /**
   * Tells every socket of this instance the server is stopping, then closes its connection
   * (graceful shutdown). `local`: the other instances keep theirs.
   */
  disconnectAll(): void {
    const payload: ShutdownPayload = { reason: 'server shutting down' };
    for (const namespace of this.namespaces()) {
      namespace.local.emit(SHUTDOWN_EVENT, payload);
      namespace.local.disconnectSockets(true);
    }
  }

  /** Connected sockets of this instance, all namespaces together. */
  count(): number {
    let open = 0;
    for (const namespace of this.namespaces()) open += namespace.sockets.size;
    return open;
  }

  /**
   * Called as a socket connects, after its handshake was accepted: a revocation announced
   * while the handshake was still running could not find it in its room.
   */
  checkOnConnection(socket: Socket): void {
    const session = admittedSession(socket);
    const now = Date.now();
    if (!session || this.recentRevocations.has(session.tokenId, now)) this.disconnect(socket, 'revoked');
    else if (session.expiresAt <= now) this.disconnect(socket, 'expired');
  }

  private disconnect(socket: Socket, reason: RevocationEvent['reason']): void {
    const payload: RevokedPayload = { reason };
    socket.emit(REVOKED_EVENT, payload);
    socket.disconnect(true);
  }

  private *namespaces(): Iterable<Namespace> {
    for (const server of this.servers) yield* server._nsps.values();
  }
}
