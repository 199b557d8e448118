import { type CanActivate, type ExecutionContext, Injectable, Optional, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SessionRestriction, UNRESTRICTED } from '../tokens/session-restriction';
import type { AuthenticatedRequest } from './auth.guard';
import { ACCEPTS_RESTRICTED_TOKEN, setupRequired } from './restricted-token';

/** A route handler, as ExecutionContext.getHandler gives it. */
type Handler = ReturnType<ExecutionContext['getHandler']>;

/**
 * Runs after AuthGuard (which has set the request's session): refuses a token that
 * SessionRestriction restricts (TWO_FACTOR=required, no second factor yet) with 403 and
 * `"secondFactor":"setup-required"` on every route not marked @AcceptsRestrictedToken, in the
 * route's dialect. A request without a token (an optional route served anonymously) passes.
 */
@Injectable()
export class RestrictedTokenGuard implements CanActivate {
  /** Whether each route accepts a restricted token, read once per route. */
  private readonly accepts = new WeakMap<Type, Map<Handler, boolean>>();

  constructor(
    private readonly reflector: Reflector,
    @Optional() private readonly restriction: SessionRestriction = UNRESTRICTED,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.restriction.active || context.getType() !== 'http') return true;
    const session = context.switchToHttp().getRequest<AuthenticatedRequest>().gatehouseSession;
    if (!session || !this.restriction.restricted(session)) return true;
    if (this.acceptsRestricted(context.getClass(), context.getHandler())) return true;
    throw setupRequired();
  }

  private acceptsRestricted(controller: Type, handler: Handler): boolean {
    let byHandler = this.accepts.get(controller);
    if (!byHandler) this.accepts.set(controller, (byHandler = new Map()));
    let accepts = byHandler.get(handler);
    if (accepts === undefined) {
      accepts = this.reflector.get<boolean | undefined>(ACCEPTS_RESTRICTED_TOKEN, handler) === true;
      byHandler.set(handler, accepts);
    }
    return accepts;
  }
}
