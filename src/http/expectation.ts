import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import { dialectOfPath } from './error-body';
import { errorReply } from './error-reply';

/**
 * Node answers an `Expect` header other than `100-continue` by itself, with a bare 417. This
 * listener for the server's 'checkExpectation' event gives that answer the dialect's shape. It
 * runs before Express, so no route is chosen yet: the dialect is the path's.
 */
export function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  let path = '/';
  try {
    path = new URL(request.url ?? '/', 'http://localhost').pathname;
  } catch {
    // an unparseable target: the classic shape
  }
  const unmet = new HttpException('only Expect: 100-continue is supported', HttpStatus.EXPECTATION_FAILED);
  const { status, body, headers } = errorReply(unmet, dialectOfPath(path));
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    connection: 'close',
  });
  response.end(text);
}
