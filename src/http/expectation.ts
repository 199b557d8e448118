import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import { dialectOfTarget } from './error-body';
import { errorReply } from './error-reply';
import { answerError } from './raw-error';

/**
 * Node answers an `Expect` header other than `100-continue` by itself, with a bare 417. This
 * listener for the server's 'checkExpectation' event gives that answer the dialect's shape. It
 * runs before Express, so no route is chosen yet: the dialect is the path's.
 */
export function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  const unmet = new HttpException('only Expect: 100-continue is supported', HttpStatus.EXPECTATION_FAILED);
  answerError(response, errorReply(unmet, dialectOfTarget(request.url)), true);
}
