import { Injectable } from '@nestjs/common';
import type { RevocationEvent } from '../tokens/revocation-bus';
import type { Session } from '../tokens/session';
import { RecentRevocations } from './recent-revocations';
import {
  admittedSession,
  type GatehouseNamespace,
  type GatehouseSocket,
  type RevokedPayload,
  type ShutdownPayload,
  tokenRoom,
} from './socket-session';

export type { RevokedPayload, ShutdownPayload } from './socket-session';

/** Sent to a socket just before the server disconnects it because its token stopped being valid. */
export const REVOKED_EVENT = 'revoked';

/** Sent to every socket just before the server disconnects it because the process is stopping. */
export const SHUTDOWN_EVENT = 'shutdown';

/** Long enough for any handshake still reading the database when the revocation was announced. */
const RECENT_REVOCATION_MS = 60_000;
const RECENT_REVOCATION_MAX = 100_000;

/**
 * Every namespace the handshake check guards (so every namespace of every socket.io server of the
 * application) and the sockets on them: the one place that knows how to make every socket of a
 * token go.
 */
@Injectable()
export class LiveSockets {
  private readonly tracked = new Set<GatehouseNamespace>();
  readonly recentRevocations = new RecentRevocations(RECENT_REVOCATION_MS, RECENT_REVOCATION_MAX);

  /** Called by HandshakeAuthenticator for each namespace it guards, as the namespace is created. */
  track(namespace: GatehouseNamespace): void {
    this.tracked.add(namespace);
  }

  /** The session (token, known expiry and last use) of every connected socket. */
  *sessions(): Iterable<Session> {
    for (const namespace of this.tracked) {
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
    for (const namespace of this.tracked) {
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
    for (const namespace of this.tracked) {
      namespace.local.emit(SHUTDOWN_EVENT, payload);
      namespace.local.disconnectSockets(true);
    }
  }

  /** Connected sockets of this instance, all namespaces together. */
  count(): number {
    let open = 0;
    for (const namespace of this.tracked) open += namespace.sockets.size;
    return open;
  }

  /**
   * Called as a socket connects, after its handshake was accepted: a revocation announced
   * while the handshake was still running could not find it in its room, and its token may have
   * stopped standing meanwhile (`isLive`: TokensService.isLive).
   */
  checkOnConnection(socket: GatehouseSocket, isLive: (session: Session) => boolean): void {
    const session = admittedSession(socket);
    if (!session || this.recentRevocations.has(session.tokenId, Date.now())) this.disconnect(socket, 'revoked');
    else if (!isLive(session)) this.disconnect(socket, 'expired');
  }

  private disconnect(socket: GatehouseSocket, reason: RevocationEvent['reason']): void {
    const payload: RevokedPayload = { reason };
    socket.emit(REVOKED_EVENT, payload);
    socket.disconnect(true);
  }
}
