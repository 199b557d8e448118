import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import type { RevocationEvent } from '../tokens/revocation-bus';
import type { Session } from '../tokens/session';
import { RecentRevocations } from './recent-revocations';
import {
  admittedSession,
  type GatehouseNamespace,
  type GatehouseSocket,
  accountRoom,
  type RevokedPayload,
  type SecurityPayload,
  type ShutdownPayload,
  tokenRoom,
} from './socket-session';

export type { RevokedPayload, SecurityPayload, ShutdownPayload } from './socket-session';

/** Sent to every socket of an account for each of its security events (the audit log). */
export const SECURITY_EVENT = 'security';

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
  /** Per token with sockets connected here: the session of the first of them, and how many are connected. */
  private readonly tokens = new Map<number, { session: Session; sockets: number }>();
  readonly recentRevocations = new RecentRevocations(RECENT_REVOCATION_MS, RECENT_REVOCATION_MAX);

  constructor(private readonly clock: Clock = new Clock()) {}

  /** Called by HandshakeAuthenticator for each namespace it guards, as the namespace is created. */
  track(namespace: GatehouseNamespace): void {
    this.tracked.add(namespace);
  }

  /**
   * One session (token, known expiry and last use) for each token with sockets connected here:
   * what the live-socket sweep checks. Kept as sockets connect and disconnect, so that a sweep
   * reads a few thousand tokens rather than touching each of tens of thousands of sockets.
   */
  *tokenSessions(): Iterable<Session> {
    for (const entry of this.tokens.values()) yield entry.session;
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
    this.recentRevocations.add(tokenIds, this.clock.now());
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

  /**
   * Sends a security event to every socket of the account, on every namespace: `everywhere`
   * through the rooms' adapter (with REDIS_URL, every instance's sockets), `here` to this
   * instance's only (for an event every instance hears by itself).
   */
  sendSecurityEvent(accountId: number, payload: SecurityPayload, reach: 'everywhere' | 'here'): void {
    const room = accountRoom(accountId);
    for (const namespace of this.tracked) {
      const target = reach === 'here' ? namespace.local : namespace;
      target.to(room).emit(SECURITY_EVENT, payload);
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
   * stopped standing meanwhile (`isLive`: TokenVerifier.isLive). A socket kept is counted under
   * its token until it disconnects.
   */
  checkOnConnection(socket: GatehouseSocket, isLive: (session: Session) => boolean): void {
    const session = admittedSession(socket);
    if (!session || this.recentRevocations.has(session.tokenId, this.clock.now())) this.disconnect(socket, 'revoked');
    else if (!isLive(session)) this.disconnect(socket, 'expired');
    else if (socket.connected) this.keep(socket, session);
  }

  private keep(socket: GatehouseSocket, session: Session): void {
    const entry = this.tokens.get(session.tokenId);
    if (entry) entry.sockets++;
    else this.tokens.set(session.tokenId, { session, sockets: 1 });
    socket.on('disconnect', () => this.forget(session.tokenId));
  }

  private forget(tokenId: number): void {
    const entry = this.tokens.get(tokenId);
    if (entry && --entry.sockets === 0) this.tokens.delete(tokenId);
  }

  private disconnect(socket: GatehouseSocket, reason: RevocationEvent['reason']): void {
    const payload: RevokedPayload = { reason };
    socket.emit(REVOKED_EVENT, payload);
    socket.disconnect(true);
  }
}
