import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { TokensModule } from '../tokens/tokens.module';
import { HandshakeAuthenticator } from './handshake-authenticator';
import { LiveSockets } from './live-sockets';
import { RealtimeGateway } from './realtime.gateway';
import { SocketRevoker } from './socket-revoker';

/**
 * socket.io, authenticated with the same tokens as HTTP. Other modules' gateways need nothing
 * from here but `@SocketSession()` (socket-session.ts) and, for their handlers' errors,
 * `@UseFilters(WsErrorFilter)`: the handshake check already stands in front of every namespace.
 */
@Module({
  imports: [DatabaseModule, TokensModule],
  providers: [RealtimeGateway, HandshakeAuthenticator, LiveSockets, SocketRevoker],
  exports: [LiveSockets],
})
export class RealtimeModule {}
