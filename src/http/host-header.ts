import { type IncomingMessage, type Server, ServerResponse } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import type { DialectName } from './error-body';
import { errorReply } from './error-reply';
import { answerError, writeError } from './raw-error';

/**
 * Node refuses an HTTP/1.1 request without a Host header (RFC 9112, section 3.2) by itself,
 * with a bare 400 and no body, before any listener sees it. This turns that check off on the
 * server, so that requireHost gives the same refusal in the dialect's shape. Node reads the
 * flag on every request.
 */
export function answerMissingHostOurselves(server: Server): void {
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
}

/**
 * The shape of a refusal before routing, as the contract words it for a missing Host: Birdhouse
 * under /api/ and /socket.io/, classic elsewhere (/health included, unlike dialectOfPath, which
 * follows the health route's own shape for its failures).
 */
function dialectBeforeRouting(target: string | undefined): DialectName {
  let path = '/';
  try {
    path = new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    // an unparseable target: the classic shape
  }
  return /^\/(api|socket\.io)(\/|$)/.test(path) ? 'birdhouse' : 'classic';
}

/**
 * The first middleware of the REST API and of socket.io's engine: an HTTP/1.1 request without
 * a Host header is 400, as Node would answer it, in the Birdhouse shape under /api/ and
 * /socket.io/ and the classic one elsewhere, and the connection is closed. A WebSocket upgrade
 * (which Node never checked) is refused the same way, as raw HTTP on its connection.
 */
export function requireHost(request: IncomingMessage, response: unknown, next: () => void): void {
  const { httpVersionMajor, httpVersionMinor, headers } = request;
  if (httpVersionMajor !== 1 || httpVersionMinor !== 1 || headers.host !== undefined) return next();
  const missing = new HttpException('an HTTP/1.1 request needs a Host header', HttpStatus.BAD_REQUEST);
  const reply = errorReply(missing, dialectBeforeRouting(request.url));
  if (response instanceof ServerResponse) answerError(response, reply, true);
  else writeError(request.socket, reply);
}
