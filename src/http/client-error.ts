import type { Socket } from 'node:net';
import { HttpException } from '@nestjs/common';
import { errorReply } from './error-reply';
import { writeError } from './raw-error';

/**
 * What Node's HTTP parser refuses (malformed request lines or headers, oversized headers, bad
 * framing) never reaches Express; Node would answer with an empty body. This listener for the
 * server's 'clientError' event answers in the classic error shape instead: the request could
 * not be read, so neither its path nor its dialect is known.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  writeError(socket, errorReply(new HttpException('the request is not valid HTTP', status), 'classic'));
}
