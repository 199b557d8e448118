import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DatabaseModule } from '../database/database.module';
import { LimitsModule } from '../limits/limits.module';
import { TokensModule } from '../tokens/tokens.module';
import { GatewayAudit } from './gateway-audit';
import { HandshakeAuthenticator } from './handshake-authenticator';
import { HandshakeLimits } from './handshake-limits';
import { LiveSockets } from './live-sockets';
import { RealtimeGateway } from './realtime.gateway';
import { SocketEventLimits } from './socket-event-rate';
import { SocketRevoker } from './socket-revoker';

/**
 * socket.io, authenticated with the same tokens as HTTP. Other modules' gateways need nothing
 * from here but `@GatehouseGateway()` and `@SocketSession()`: the handshake check already stands
 * in front of every namespace, and GatewayAudit refuses a gateway without the error filter.
 */
@Module({
  imports: [DatabaseModule, TokensModule, LimitsModule, DiscoveryModule],
  providers: [
    RealtimeGateway,
    HandshakeAuthenticator,
    HandshakeLimits,
    LiveSockets,
    SocketRevoker,
    GatewayAudit,
    SocketEventLimits,
  ],
  exports: [LiveSockets, GatewayAudit, SocketRevoker],
})
export class RealtimeModule {}
