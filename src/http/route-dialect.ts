import { type CanActivate, type ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { dialectOf } from './dialect';
import { type DialectName, dialectOfPath } from './error-body';

const DIALECT = Symbol('gatehouse:dialect');
const REFUSED_BODY = Symbol('gatehouse:refused-body');

type Marked = Request & { [DIALECT]?: DialectName; [REFUSED_BODY]?: HttpException };

/**
 * A body the JSON parser refused. It is kept on the request rather than answered at once, so
 * that it is answered in the dialect of the route it was sent to (RouteDialectGuard rethrows
 * it) or, on a path no route matches, by the path rule (HttpErrorFilter). Connection: close
 * when the rest of the body was not read: it is discarded with the connection.
 */
export class RefusedBodyException extends HttpException {
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, unread: boolean) {
    super(message, status);
    this.headers = unread ? { Connection: 'close' } : {};
  }
}

export function refuseBody(request: Request, refusal: RefusedBodyException): void {
  (request as Marked)[REFUSED_BODY] = refusal;
}

export function refusedBody(request: Request): HttpException | undefined {
  return (request as Marked)[REFUSED_BODY];
}

/**
 * The dialect to answer this request's failure in: its route's controller's (recorded by
 * RouteDialectGuard once the route is known), else the path rule (a path no route matches).
 */
export function dialectOfRequest(request: Request): DialectName {
  return (request as Marked)[DIALECT] ?? dialectOfPath(request.path);
}

/**
 * The first global guard (registered before AuthGuard, and Nest runs global guards in the order
 * they are registered). It records the dialect the route's controller declares, so that every
 * later failure of the request (a 401 of AuthGuard, a 400 of validation, a handler's error) is
 * answered in it; and it rethrows a refused body, which is thus answered before the token is
 * checked, as if the parser had answered: a malformed body is 400, 413 or 415, never 401.
 */
@Injectable()
export class RouteDialectGuard implements CanActivate {
  /** Each controller's dialect, read from its metadata on its first request rather than on every one. */
  private readonly dialects = new WeakMap<object, DialectName>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Marked>();
    const controller = context.getClass();
    let dialect = this.dialects.get(controller);
    if (dialect === undefined) this.dialects.set(controller, (dialect = dialectOf(controller)));
    request[DIALECT] = dialect;
    const refusal = request[REFUSED_BODY];
    if (refusal) throw refusal;
    return true;
  }
}
