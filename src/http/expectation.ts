import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from './error-body';

/**
 * Node answers an `Expect` header other than `100-continue` by itself, with a bare 417. This
 * listener for the server's 'checkExpectation' event gives that answer the dialect's shape.
 */
export function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  let path = '/';
  try {
    path = new URL(request.url ?? '/', 'http://localhost').pathname;
  } catch {
    // an unparseable target: the classic shape
  }
  const body = JSON.stringify(errorBody(path, 417, 'only Expect: 100-continue is supported'));
  response.writeHead(417, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    connection: 'close',
  });
  response.end(body);
}
