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

/** A route handler, as ExecutionContext.getHandler gives it. */
type Handler = ReturnType<ExecutionContext['getHandler']>;

export interface AuthenticatedRequest extends Request {
  /** Set by AuthGuard when the request carried a valid token. */
  gatehouseSession?: Session;
}

/**
 * The one global guard. It reads the level a route declares with @Auth and checks the token
 * through TokenVerifier.checkToken, the same check the socket.io handshake uses. A route
 * that declares no level is refused: forgetting the decorator must never open an endpoint.
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
    // Sockets are authenticated once, in the handshake (see realtime/).
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
    if (checked instanceof Promise) return checked.then((session) => admit(request, session, this.tokenFailures));
    return admit(request, checked, this.tokenFailures);
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
