import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Gatehouse answers no request conditionally. Every answer is Cache-Control: no-store, so there
 * is nothing for a client to revalidate, and a 304 would answer a token-bearing request with
 * an empty body that the API document does not list. Express's ETags are off (createApp), but
 * its freshness check answers `If-None-Match: *` with 304 even without one, and static files
 * would compare Last-Modified: the two validating headers are dropped before anything reads
 * them, so every request gets its full answer.
 */
export function unconditional(request: IncomingMessage, _response: ServerResponse, next: () => void): void {
  delete request.headers['if-none-match'];
  delete request.headers['if-modified-since'];
  next();
}
