import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { HttpException } from '@nestjs/common';
import { errorReply } from './error-reply';

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
  const reply = errorReply(new HttpException('the request is not valid HTTP', status), 'classic');
  const body = JSON.stringify(reply.body);
  const headers = Object.entries(reply.headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(
    `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-store\r\n' +
      headers.join('') +
      'Connection: close\r\n\r\n' +
      body,
  );
}
