import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { ServerOptions, Socket } from 'socket.io';
import type { AppConfig } from '../config/config';
import { handshakeOriginAllowed } from '../http/cors';
import type { TrustProxy } from '../limits/client-address';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { HandshakeAuthenticator } from './handshake-authenticator';
import { HandshakeLimits } from './handshake-limits';
import { bindMessageHandlers, type MessageBinding, type MessageHandler, type MessageSocket } from './message-handlers';
import { SocketEventLimits } from './socket-event-rate';
import type { GatehouseServer } from './socket-session';
import { guardSocketTransport } from './socket-transport';
import { OneMessagePerTurnServer } from './websocket-engine';

/** A handshake or message carries a token and small payloads: nothing needs more. */
export const MAX_SOCKET_MESSAGE_BYTES = 64 * 1024;
/** How long a connection may stay without joining a namespace before it is closed. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * What every socket.io server of Gatehouse is created with, whatever a gateway's decorator
 * asks for: those options are fixed when the decorator runs, before the configuration exists.
 */
export function socketServerOptions(config: Pick<AppConfig, 'corsOrigins'>): Partial<ServerOptions> {
  return {
    // Whatever a gateway asks for: CORS is one of the engine's middlewares (socket-transport.ts),
    // from CORS_ORIGINS, after the security headers.
    cors: undefined,
    allowRequest: (request, callback) => {
      const allowed = handshakeOriginAllowed(config, request.headers.origin, request.headers.host);
      callback(allowed ? null : 'this origin may not open sockets', allowed);
    },
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    // One message per connection per turn of the event loop: a flood cannot hold the loop.
    wsEngine: OneMessagePerTurnServer,
    connectTimeout: CONNECT_TIMEOUT_MS,
    serveClient: false,
    // A recovered connection skips the middlewares, so it would come back without a token check.
    connectionStateRecovery: undefined,
  };
}

/**
 * The socket.io adapter of the application (see app.factory.ts): CORS from CORS_ORIGINS, the
 * REST API's security headers and error shape on the socket.io path, no JSONP (see
 * socket-transport.ts), bounded messages, at most SOCKET_EVENT_RATE events per second per socket
 * (socket-event-rate.ts), and the token check in front of every namespace of every server it creates: the one
 * place the check is installed (an application built without this adapter does not start, see
 * RealtimeGateway). With REDIS_URL its servers get the Redis streams adapter, so that an emit to
 * a room from any instance (`server.to(accountRoom(id)).emit(...)`) reaches the room's sockets on
 * every instance. Message handlers are bound to each socket without Nest's RxJS pipeline
 * (message-handlers.ts), which cost a third of an open socket's memory.
 */
export class GatehouseIoAdapter extends IoAdapter {
  private readonly binding: MessageBinding = {
    // Nest types the acknowledgement it found as a bare Function.
    mapPayload: (payload) => this.mapPayload(payload) as ReturnType<MessageBinding['mapPayload']>,
    logError: (error) => this.logger.error(error),
  };

  constructor(
    private readonly app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): GatehouseServer {
    const shared = this.app.get<typeof SHARED_STORE, SharedStore | null>(SHARED_STORE, { strict: false });
    // Nest's adapter creates an untyped server; its event maps and socket data are Gatehouse's.
    const server = super.createIOServer(port, {
      ...options,
      ...socketServerOptions(this.config),
      ...(shared ? { adapter: shared.socketAdapter() } : {}),
    } as ServerOptions) as GatehouseServer;
    guardSocketTransport(server, this.config);
    const trust = this.trustProxy();
    if (trust) this.app.get(HandshakeLimits).trustProxies(trust);
    this.app.get(HandshakeAuthenticator).protect(server);
    this.app.get(SocketEventLimits).protect(server);
    return server;
  }

  /** Express's compiled TRUST_PROXY (configureApp sets it before any socket.io server exists): handshakes' addresses are read alike. */
  private trustProxy(): TrustProxy | undefined {
    const http = (this.app as Partial<INestApplication>).getHttpAdapter?.();
    const express = http?.getInstance() as { get?: (name: string) => unknown } | undefined;
    return express?.get?.('trust proxy fn') as TrustProxy | undefined;
  }

  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    bindMessageHandlers(socket as MessageSocket, handlers as MessageHandler[], transform, this.binding);
  }
}
