import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  Optional,
  type Type,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { TokenFailureLimiter } from '../limits/token-failure-limiter';
import type { Session } from '../tokens/session';
import { TokenVerifier } from '../tokens/token-verifier';
import { AUTH_LEVEL, AuthLevel } from './auth-level';
import { tokenFromHeaders } from './token-header';
import { ACCEPTS_OWN_ACCESS_TOKEN, missingScope, REQUIRED_SCOPE, sessionOnly } from './scope';

/** A route handler, as ExecutionContext.getHandler gives it. */
type Handler = ReturnType<ExecutionContext['getHandler']>;

/** What a route declares for access tokens: its scope, and whether it takes the caller's own token (invalidate). */
interface RouteScope {
  scope: string | undefined;
  ownToken: boolean;
}

export interface AuthenticatedRequest extends Request {
  /** Set by AuthGuard when the request carried a valid token. */
  gatehouseSession?: Session;
}

/**
 * The one global guard. It reads the level a route declares with @Auth and checks the token
 * through TokenVerifier.checkToken, the same check the socket.io handshake uses. A route
 * that declares no level is refused: forgetting the decorator must never open an endpoint.
 * An access token must also carry the scope the route declares with @RequireScope, and is
 * refused on a route that declares none (fail closed again: a new route is for sign-in tokens
 * until it names a scope).
 * A database failure while checking propagates and becomes 503, never 401.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /**
   * The level each route declares, read from its metadata on its first request: decorators
   * have all run before the first request, so the reflection need not be repeated on every one.
   * By controller, then handler: a handler inherited by two controllers may take either's level.
   */
  private readonly levels = new WeakMap<Type, Map<Handler, AuthLevel | undefined>>();
  /** The scope each route or socket event declares (@RequireScope), read once, the same way. */
  private readonly scopes = new WeakMap<Type, Map<Handler, RouteScope>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenVerifier,
    /** TOKEN_FAILURES_PER_MINUTE; absent where no limit applies. */
    @Optional() private readonly tokenFailures?: TokenFailureLimiter,
  ) {}

  /**
   * Synchronous for a token checked within the last moments (the usual case), so that a hot
   * token costs no promise; a promise only when the database must be asked.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // Sockets are authenticated once, in the handshake (see realtime/); an event that declares a
    // scope still asks it of an access token.
    if (context.getType() === 'ws') return this.admitEvent(context);
    if (context.getType() !== 'http') return true;
    const level = this.levelOf(context.getClass(), context.getHandler());
    if (level === undefined) throw new ForbiddenException('this endpoint declares no authentication level');
    if (level === AuthLevel.NotNeeded) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = tokenFromHeaders(request.headers.authentication, request.headers.authorization);
    if (presented.kind === 'none') {
      if (level === AuthLevel.Optional) return true;
      throw new UnauthorizedException('a token is required');
    }
    // An address over TOKEN_FAILURES_PER_MINUTE gets 429 before any lookup (one Map size while none is).
    this.tokenFailures?.checkRequest(request);
    if (presented.kind !== 'token') return admit(request, null, this.tokenFailures);
    const checked = this.tokens.checkToken(presented.token);
    if (checked instanceof Promise) return checked.then((session) => this.admitScoped(context, request, session));
    return this.admitScoped(context, request, checked);
  }

  /**
   * admit, then for an access token the route's scope (CONTRACT section 21): a sign-in's token
   * (scopes null, parsed once into the cached session) costs one comparison.
   */
  private admitScoped(context: ExecutionContext, request: AuthenticatedRequest, session: Session | null): true {
    admit(request, session, this.tokenFailures);
    if (session!.scopes !== null) this.checkScope(context, session!.scopes);
    return true;
  }

  /** An access token on a route: the route's scope, or, without one, the one route that takes its own token. */
  private checkScope(context: ExecutionContext, scopes: ReadonlySet<string>): void {
    const { scope, ownToken } = this.scopeOf(context.getClass(), context.getHandler());
    if (scope === undefined) {
      if (ownToken) return;
      throw sessionOnly();
    }
    if (!scopes.has(scope)) throw missingScope(scope);
  }

  /** A socket event that declares a scope, from a socket opened with an access token that lacks it. */
  private admitEvent(context: ExecutionContext): true {
    // The session the handshake put on the socket (realtime/socket-session.ts).
    const session = context.switchToWs().getClient<{ data?: { session?: Session } }>().data?.session;
    if (!session || session.scopes === null) return true;
    const { scope } = this.scopeOf(context.getClass(), context.getHandler());
    if (scope !== undefined && !session.scopes.has(scope)) throw missingScope(scope);
    return true;
  }

  private scopeOf(controller: Type, handler: Handler): RouteScope {
    let byHandler = this.scopes.get(controller);
    if (!byHandler) this.scopes.set(controller, (byHandler = new Map()));
    let found = byHandler.get(handler);
    if (found === undefined) {
      found = {
        scope: this.reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, [handler, controller]),
        ownToken: this.reflector.get<boolean | undefined>(ACCEPTS_OWN_ACCESS_TOKEN, handler) === true,
      };
      byHandler.set(handler, found);
    }
    return found;
  }

  private levelOf(controller: Type, handler: Handler): AuthLevel | undefined {
    let byHandler = this.levels.get(controller);
    if (!byHandler) this.levels.set(controller, (byHandler = new Map()));
    if (!byHandler.has(handler)) {
      byHandler.set(
        handler,
        this.reflector.getAllAndOverride<AuthLevel | undefined>(AUTH_LEVEL, [handler, controller]),
      );
    }
    return byHandler.get(handler);
  }
}

/** Lets the request through with its session, or refuses it (and counts the refusal) when there is none. */
function admit(request: AuthenticatedRequest, session: Session | null, failures?: TokenFailureLimiter): true {
  if (!session) {
    failures?.countRequest(request);
    throw new UnauthorizedException('the token is invalid, expired or revoked');
  }
  request.gatehouseSession = session;
  return true;
}
