import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Session } from '../tokens/session';
import { TokensService } from '../tokens/tokens.service';
import { AUTH_LEVEL, AuthLevel } from './auth-level';
import { tokenFromHeaders } from './token-header';

export interface AuthenticatedRequest extends Request {
  /** Set by AuthGuard when the request carried a valid token. */
  gatehouseSession?: Session;
}

/**
 * The one global guard. It reads the level a route declares with @Auth and checks the token
 * through TokensService.authenticate, the same check the socket.io handshake uses. A route
 * that declares no level is refused: forgetting the decorator must never open an endpoint.
 * A database failure while checking propagates and becomes 503, never 401.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Sockets are authenticated once, in the handshake (see realtime/).
    if (context.getType() !== 'http') return true;
    const level = this.reflector.getAllAndOverride<AuthLevel | undefined>(AUTH_LEVEL, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (level === undefined) throw new ForbiddenException('this endpoint declares no authentication level');
    if (level === AuthLevel.NotNeeded) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = tokenFromHeaders(request.headers.authentication, request.headers.authorization);
    if (presented.kind === 'none') {
      if (level === AuthLevel.Optional) return true;
      throw new UnauthorizedException('a token is required');
    }
    const session = presented.kind === 'token' ? await this.tokens.authenticate(presented.token) : null;
    if (!session) throw new UnauthorizedException('the token is invalid, expired or revoked');
    request.gatehouseSession = session;
    return true;
  }
}
