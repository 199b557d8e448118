import type { OnApplicationBootstrap } from '@nestjs/common';
import { SubscribeMessage, WebSocketServer } from '@nestjs/websockets';
import type { Session } from '../tokens/session';
import { HandshakeAuthenticator } from './handshake-authenticator';
import { GatehouseGateway } from './gatehouse-gateway';
import { type GatehouseServer, SocketSession } from './socket-session';

/** Gatehouse's own events on the default namespace and path. */
@GatehouseGateway()
export class RealtimeGateway implements OnApplicationBootstrap {
  /** The server of the HTTP port, which every gateway of the application shares. */
  @WebSocketServer() private readonly server!: GatehouseServer;

  constructor(private readonly handshake: HandshakeAuthenticator) {}

  /**
   * GatehouseIoAdapter installs the handshake check as it creates the server, and nothing else
   * does: an application built without that adapter would open its sockets to anyone, so it
   * refuses to start instead.
   */
  onApplicationBootstrap(): void {
    if (!this.handshake.protects(this.server)) {
      throw new Error(
        'the socket.io server has no handshake check: build the application with GatehouseIoAdapter (see src/app.factory.ts)',
      );
    }
  }

  @SubscribeMessage('whoami')
  whoami(@SocketSession() session: Session): { status: 'ok'; handle: string } {
    return { status: 'ok', handle: session.login };
  }
}
