import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { BirdhouseErrorBody } from '../http/error-body';
import { errorReply } from '../http/error-reply';

/** The Birdhouse error shape, as a socket.io acknowledgement or `exception` event. */
export type WsErrorBody = BirdhouseErrorBody;

/**
 * Gives every failure of a message handler the Birdhouse error shape, through errorReply: through
 * the acknowledgement when the client asked for one (so it does not wait for a timeout), otherwise
 * as an `exception` event. The global HTTP filter does not apply to gateways, and Nest's default
 * turns the global pipe's 400s into an opaque "Internal server error". Sockets speak Birdhouse
 * only (section 7 of the contract). Every gateway has it through @GatehouseGateway()
 * (GatewayAudit refuses one that does not).
 */
@Catch()
export class WsErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'ws') throw exception;
    const ws = host.switchToWs();
    const body = errorReply(exception, 'birdhouse', `"${String(ws.getPattern())}"`).body as WsErrorBody;
    // A handler's arguments are (socket, data, ack, pattern); ack is absent when none was asked for.
    const ack = host
      .getArgs()
      .slice(1)
      .find((arg): arg is (body: WsErrorBody) => void => typeof arg === 'function');
    if (ack) ack(body);
    else ws.getClient<Socket>().emit('exception', body);
  }
}
