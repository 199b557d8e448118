import { applyDecorators, UseFilters } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { WsErrorFilter } from './ws-error.filter';

export interface GatehouseGatewayOptions {
  /** The socket.io namespace; `/` when absent. Its handshake is checked like the default one. */
  namespace?: string;
}

/**
 * Marks a class as a Gatehouse gateway: served on the HTTP port and path `/socket.io`, behind
 * the token check of the handshake, every handler's failure answered in the Birdhouse error
 * shape (WsErrorFilter). The socket.io server options (CORS, message size, timeouts) are
 * Gatehouse's, from its adapter, whatever a gateway asks for; so only the namespace is chosen
 * here. A gateway declared otherwise is refused at start-up (see GatewayAudit).
 */
export const GatehouseGateway = (options: GatehouseGatewayOptions = {}): ClassDecorator =>
  applyDecorators(
    WebSocketGateway(options.namespace === undefined ? {} : { namespace: options.namespace }),
    UseFilters(WsErrorFilter),
  );
