import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorReply } from './error-reply';
import { SECURITY_HEADERS } from './security-headers';

/** The headers of an error answered outside Express: JSON, never cached, helmet's protections. */
function headersOf(reply: ErrorReply, text: string, close: boolean): Record<string, string> {
  return {
    ...SECURITY_HEADERS,
    ...reply.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...(close ? { Connection: 'close' } : {}),
  };
}

/**
 * Answers a failure on a response no Express route handles (an unmet Expect, engine.io's
 * refusals on the socket.io path), as the REST API would: JSON in the dialect's shape, with the
 * same security headers. `close` ends the connection afterwards.
 */
export function answerError(response: ServerResponse, reply: ErrorReply, close = false): void {
  if (response.headersSent) {
    if (!response.writableEnded) response.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.status, headersOf(reply, text, close));
  response.end(text);
}

/**
 * The same, written as raw HTTP/1.1 on a connection that has no response object (a request
 * Node's parser refused, a refused WebSocket upgrade); the connection is closed after it.
 */
export function writeError(socket: Duplex, reply: ErrorReply): void {
  const text = JSON.stringify(reply.body);
  const headers = Object.entries(headersOf(reply, text, true)).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.end(`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status]}\r\n${headers.join('')}\r\n${text}`);
}
