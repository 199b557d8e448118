import { type OnGatewayInit, SubscribeMessage } from '@nestjs/websockets';
import type { Server } from 'socket.io';
import type { Session } from '../tokens/session';
import { HandshakeAuthenticator } from './handshake-authenticator';
import { GatehouseGateway } from './gatehouse-gateway';
import { SocketSession } from './socket-session';

/** Gatehouse's own events on the default namespace and path. */
@GatehouseGateway()
export class RealtimeGateway implements OnGatewayInit {
  constructor(private readonly handshake: HandshakeAuthenticator) {}

  /**
   * GatehouseIoAdapter has already protected the server; doing it here too keeps the sockets
   * closed to anonymous clients in an application that was not built with that adapter.
   */
  afterInit(server: Server): void {
    this.handshake.protect(server);
  }

  @SubscribeMessage('whoami')
  whoami(@SocketSession() session: Session): { status: 'ok'; handle: string } {
    return { status: 'ok', handle: session.login };
  }
}
