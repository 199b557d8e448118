import { STATUS_CODES } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { isDatabaseUnavailable } from '../database/database-errors';

/** The Birdhouse error shape, as a socket.io acknowledgement or `exception` event. */
export interface WsErrorBody {
  status: 'error';
  error: string;
  message?: string;
}

/**
 * Gives every failure of a message handler the Birdhouse error shape: through the
 * acknowledgement when the client asked for one (so it does not wait for a timeout), otherwise
 * as an `exception` event. The global HTTP filter does not apply to gateways, and Nest's default
 * turns the global pipe's 400s into an opaque "Internal server error". Unforeseen errors are
 * logged and answered without details. Every gateway has it through @GatehouseGateway()
 * (GatewayAudit refuses one that does not).
 */
@Catch()
export class WsErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Realtime');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'ws') throw exception;
    const ws = host.switchToWs();
    const body = this.describe(exception, String(ws.getPattern()));
    // A handler's arguments are (socket, data, ack, pattern); ack is absent when none was asked for.
    const ack = host.getArgs().slice(1).find((arg): arg is (body: WsErrorBody) => void => typeof arg === 'function');
    if (ack) ack(body);
    else ws.getClient<Socket>().emit('exception', body);
  }

  private describe(exception: unknown, pattern: string): WsErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500 && status !== HttpStatus.SERVICE_UNAVAILABLE) {
        this.logger.error(`"${pattern}": ${exception.message}`);
        return body(status);
      }
      return body(status, exception.message);
    }
    if (exception instanceof WsException) {
      const error = exception.getError();
      return body(HttpStatus.BAD_REQUEST, typeof error === 'string' ? error : undefined);
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`"${pattern}": database unavailable`);
      return body(HttpStatus.SERVICE_UNAVAILABLE, 'database unavailable, try again shortly');
    }
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`"${pattern}": ${error.message}`, error.stack);
    return body(HttpStatus.INTERNAL_SERVER_ERROR);
  }
}

function body(status: number, message?: string): WsErrorBody {
  return { status: 'error', error: STATUS_CODES[status] ?? 'Error', ...(message ? { message } : {}) };
}
