import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { errorReply, isUnmatchedRoute } from './error-reply';
import { dialectOfRequest, refusedBody } from './route-dialect';

/**
 * Every HTTP failure, whatever raised it, leaves through errorReply in the dialect of the route
 * (recorded by RouteDialectGuard), or of the path when no route matched.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    // A refused body on a path no route matches: the parser's refusal, as it would have been
    // answered before routing, rather than the 404 (see RouteDialectGuard for matched routes).
    const refusal = isUnmatchedRoute(exception) ? refusedBody(request) : undefined;
    const { status, body, headers } = errorReply(
      refusal ?? exception,
      dialectOfRequest(request),
      `${request.method} ${request.path}`,
    );
    if (response.headersSent) return;
    response.status(status).set(headers).json(body);
  }
}
