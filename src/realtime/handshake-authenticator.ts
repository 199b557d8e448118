import { Injectable, Logger, Optional } from '@nestjs/common';
import type { ExtendedError } from 'socket.io';
import { Clock } from '../clock/clock';
import { isDatabaseUnavailable } from '../database/database-errors';
import type { Session } from '../tokens/session';
import { SessionRestriction, UNRESTRICTED } from '../tokens/session-restriction';
import { TokenVerifier } from '../tokens/token-verifier';
import { hasScope, SCOPE_SOCKET } from '../tokens/scopes';
import { HandshakeLimits } from './handshake-limits';
import { tokenFromHandshake } from './handshake-token';
import { LiveSockets } from './live-sockets';
import {
  accountRoom,
  type GatehouseNamespace,
  type GatehouseServer,
  type GatehouseSocket,
  tokenRoom,
  useClock,
} from './socket-session';

/** The `connect_error` messages a client can get from the handshake. */
export const HANDSHAKE_REFUSED = 'Unauthorized';
export const HANDSHAKE_UNAVAILABLE = 'Service Unavailable';
/**
 * A valid token that may not open sockets: restricted until the account sets up a second factor,
 * or an access token without the `socket` scope.
 */
export const HANDSHAKE_FORBIDDEN = 'Forbidden';

/**
 * Admits a socket only with a valid token, checked by TokenVerifier.authenticate exactly as the
 * HTTP guard checks it. It runs as socket.io middleware, during the handshake: a refused client
 * gets `connect_error` and never sees `connect`, and no gateway ever sees it. Section 23's limits
 * on refused token checks and refused handshakes are HandshakeLimits'.
 */
@Injectable()
export class HandshakeAuthenticator {
  private readonly logger = new Logger('Realtime');
  private readonly protectedServers = new WeakSet<GatehouseServer>();

  constructor(
    private readonly tokens: TokenVerifier,
    private readonly live: LiveSockets,
    private readonly clock: Clock,
    private readonly limits: HandshakeLimits,
    @Optional() private readonly restriction: SessionRestriction = UNRESTRICTED,
  ) {}

  /**
   * Puts the check in front of every namespace of a server it is handed as the server is
   * created (GatehouseIoAdapter does, the one place that does): the main namespace, which is
   * then the only one, and every namespace created afterwards (a gateway with its own
   * namespace, a dynamic namespace's children), so that no gateway can be reached without a
   * token by forgetting something.
   */
  protect(server: GatehouseServer): void {
    if (this.protectedServers.has(server)) return;
    this.protectedServers.add(server);
    useClock(server, this.clock);
    this.guard(server.sockets);
    server.on('new_namespace', (namespace) => this.guard(namespace));
  }

  /** Whether the server's sockets go through the check: RealtimeGateway refuses to start otherwise. */
  protects(server: GatehouseServer): boolean {
    return this.protectedServers.has(server);
  }

  private guard(namespace: GatehouseNamespace): void {
    this.live.track(namespace);
    namespace.use((socket, next) => {
      // socket.io ignores a middleware's promise: every outcome must reach next(), and nothing may reject.
      this.admit(socket).then(
        (refusal) => {
          next(refusal);
          if (refusal) this.limits.handshakeRefused(socket);
        },
        (error: unknown) => {
          this.reportFailure(error);
          next(new Error(HANDSHAKE_UNAVAILABLE));
        },
      );
    });
    namespace.on('connection', (socket) =>
      this.live.checkOnConnection(socket, (session) => this.tokens.isLive(session)),
    );
  }

  /** Resolves to the refusal, or undefined when the socket is admitted. Rejects when the check could not be made. */
  private async admit(socket: GatehouseSocket): Promise<ExtendedError | undefined> {
    const presented = tokenFromHandshake(socket.handshake);
    const blocked = this.limits.blocked(socket, presented);
    if (blocked) return blocked;
    const session: Session | null = presented.kind === 'token' ? await this.tokens.authenticate(presented.token) : null;
    if (!session || this.live.recentRevocations.has(session.tokenId, this.clock.now())) {
      this.limits.tokenRefused(socket, presented);
      return new Error(HANDSHAKE_REFUSED);
    }
    // An access token without the `socket` scope (section 21) is refused as a restricted one is.
    if (this.restriction.restricted(session) || !hasScope(session.scopes, SCOPE_SOCKET))
      return new Error(HANDSHAKE_FORBIDDEN);
    socket.data.session = session;
    // Joined before connecting: socket.io leaves the rooms again if the connection never opens.
    await socket.join([accountRoom(session.accountId), tokenRoom(session.tokenId)]);
    return undefined;
  }

  private reportFailure(error: unknown): void {
    if (isDatabaseUnavailable(error)) {
      this.logger.warn('socket handshake refused: database unavailable');
      return;
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    this.logger.error(`socket handshake failed: ${failure.message}`, failure.stack);
  }
}
