import { Injectable, Logger } from '@nestjs/common';
import type { ExtendedError, Namespace, Server, Socket } from 'socket.io';
import { isDatabaseUnavailable } from '../database/database-errors';
import type { Session } from '../tokens/session';
import { TokensService } from '../tokens/tokens.service';
import { tokenFromHandshake } from './handshake-token';
import { LiveSockets } from './live-sockets';
import { accountRoom, type GatehouseSocketData, tokenRoom } from './socket-session';

/** The `connect_error` messages a client can get from the handshake. */
export const HANDSHAKE_REFUSED = 'Unauthorized';
export const HANDSHAKE_UNAVAILABLE = 'Service Unavailable';

/**
 * Admits a socket only with a valid token, checked by TokensService.authenticate exactly as the
 * HTTP guard checks it. It runs as socket.io middleware, during the handshake: a refused client
 * gets `connect_error` and never sees `connect`, and no gateway ever sees it.
 */
@Injectable()
export class HandshakeAuthenticator {
  private readonly logger = new Logger('Realtime');
  private readonly protectedServers = new WeakSet<Server>();
  private readonly guarded = new WeakSet<Namespace>();

  constructor(
    private readonly tokens: TokensService,
    private readonly live: LiveSockets,
  ) {}

  /**
   * Puts the check in front of every namespace of the server, present and future (a gateway
   * with its own namespace, a dynamic namespace), so that no gateway can be reached without a
   * token by forgetting something. Calling it again for the same server does nothing.
   */
  protect(server: Server): void {
    if (this.protectedServers.has(server)) return;
    this.protectedServers.add(server);
    this.live.track(server);
    for (const namespace of server._nsps.values()) this.guard(namespace);
    server.on('new_namespace', (namespace) => this.guard(namespace));
  }

  private guard(namespace: Namespace): void {
    if (this.guarded.has(namespace)) return;
    this.guarded.add(namespace);
    namespace.use((socket, next) => {
      // socket.io ignores a middleware's promise: every outcome must reach next(), and nothing may reject.
      this.admit(socket).then(next, (error: unknown) => {
        this.reportFailure(error);
        next(new Error(HANDSHAKE_UNAVAILABLE));
      });
    });
    namespace.on('connection', (socket) => this.live.checkOnConnection(socket));
  }

  /** Resolves to the refusal, or undefined when the socket is admitted. Rejects when the check could not be made. */
  private async admit(socket: Socket): Promise<ExtendedError | undefined> {
    const presented = tokenFromHandshake(socket.handshake);
    const session: Session | null = presented.kind === 'token' ? await this.tokens.authenticate(presented.token) : null;
    if (!session || this.live.recentRevocations.has(session.tokenId, Date.now())) return new Error(HANDSHAKE_REFUSED);
    (socket.data as GatehouseSocketData).session = session;
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
