import {
  CanActivate,
  createParamDecorator,
  DynamicModule,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Module,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/** What Gatehouse's introspection says of an active token (RFC 7662, section 21). */
export interface GatehouseIdentity {
  /** The account id, as a string. */
  sub: string;
  username: string;
  /** The token's scopes. */
  scopes: string[];
  tokenType: 'session' | 'access_token';
  /** Unix seconds. */
  exp: number;
  iat: number;
}

export interface GatehouseAuthOptions {
  /** Where Gatehouse answers, e.g. `https://auth.example.com` (no trailing path). */
  url: string;
  /**
   * This service's own Gatehouse access token, created with the `introspect` scope; it is sent
   * as the caller of every introspection.
   */
  token: string;
  /**
   * How long an answer is reused, in milliseconds: at most 1000 (the default), so that a token
   * revoked in Gatehouse is refused here within the same second Gatehouse itself promises.
   * `0` asks Gatehouse every time.
   */
  cacheMs?: number;
  /** How long one introspection may take before the request is answered `503` (default 3000 ms). */
  timeoutMs?: number;
  /** Most answers kept at once (default 10,000); the oldest go first. */
  maxCached?: number;
}

export const GATEHOUSE_AUTH_OPTIONS = Symbol('GATEHOUSE_AUTH_OPTIONS');
const SCOPES = 'gatehouse:scopes';
const IDENTITY = Symbol('gatehouse:identity');
const MAX_CACHE_MS = 1000;

/** The scopes a route needs (all of them), checked against the token's introspected scopes. */
export const GatehouseScopes = (...scopes: string[]) => SetMetadata(SCOPES, scopes);

/** The identity the guard established for this request (`undefined` on an unguarded route). */
export const GatehouseUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): GatehouseIdentity | undefined =>
    (context.switchToHttp().getRequest() as Record<symbol, GatehouseIdentity | undefined>)[IDENTITY],
);

const BEARER = /^bearer[ \t]+(\S+)$/i;
const BARE = /^(\S+)$/;

/** The token a request presents, read as Gatehouse reads it (section 2); `undefined` when none or malformed. */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim();
  const authentication = first(headers['authentication']);
  if (authentication) return (BEARER.exec(authentication) ?? BARE.exec(authentication))?.[1];
  const authorization = first(headers['authorization']);
  return authorization ? BEARER.exec(authorization)?.[1] : undefined;
}

/** The cache's key for a token: its SHA-256 (WebCrypto, present in Node 20 and browsers alike), never the token. */
async function tokenKey(token: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

type Answer = { identity: GatehouseIdentity | null; until: number };

/** Gatehouse is unreachable or answered something other than an introspection: `503`, never `401`. */
class GatehouseUnavailable extends HttpException {
  constructor() {
    super({ status: 'error', error: 'Authentication service unavailable' }, 503);
  }
}

/**
 * Introspects the tokens presented to this service against Gatehouse, reusing an answer for at
 * most one second. Answers are keyed by the token's SHA-256, never by the token itself.
 */
@Injectable()
export class GatehouseIntrospector {
  private readonly cache = new Map<string, Answer>();
  private readonly inFlight = new Map<string, Promise<GatehouseIdentity | null>>();
  private readonly cacheMs: number;
  private readonly endpoint: string;

  constructor(@Inject(GATEHOUSE_AUTH_OPTIONS) private readonly options: GatehouseAuthOptions) {
    this.cacheMs = Math.min(Math.max(options.cacheMs ?? MAX_CACHE_MS, 0), MAX_CACHE_MS);
    this.endpoint = new URL('/api/auth/introspect', options.url).toString();
  }

  /** The identity behind `token`, or `null` when Gatehouse says it is not active. Throws `503` when Gatehouse cannot say. */
  async introspect(token: string): Promise<GatehouseIdentity | null> {
    const key = await tokenKey(token);
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.identity;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.ask(token)
      .then((identity) => {
        if (this.cacheMs > 0) this.remember(key, identity, Date.now());
        return identity;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }

  private remember(key: string, identity: GatehouseIdentity | null, now: number): void {
    let until = now + this.cacheMs;
    // Never past the token's own expiry.
    if (identity) until = Math.min(until, identity.exp * 1000);
    this.cache.delete(key);
    this.cache.set(key, { identity, until });
    const max = this.options.maxCached ?? 10_000;
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= max) break;
      this.cache.delete(oldest);
    }
  }

  private async ask(token: string): Promise<GatehouseIdentity | null> {
    let response: Response;
    let body: Record<string, unknown>;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authentication: `Bearer ${this.options.token}` },
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
      });
      body = (await response.json()) as Record<string, unknown>;
    } catch {
      throw new GatehouseUnavailable();
    }
    // 401/403 here mean this service's own token is wrong: a configuration fault, not the caller's.
    if (response.status !== 200 || typeof body !== 'object' || body === null) throw new GatehouseUnavailable();
    if (body.active !== true) return null;
    return {
      sub: String(body.sub),
      username: String(body.username),
      scopes: typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [],
      tokenType: body.token_type === 'access_token' ? 'access_token' : 'session',
      exp: Number(body.exp),
      iat: Number(body.iat),
    };
  }
}

/**
 * Refuses an HTTP request whose token Gatehouse does not vouch for (`401`), or that lacks a scope
 * the route names with `@GatehouseScopes` (`403` with `scope`). Gatehouse unreachable: `503`.
 */
@Injectable()
export class GatehouseGuard implements CanActivate {
  constructor(
    private readonly introspector: GatehouseIntrospector,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const token = presentedToken(request.headers);
    if (!token) throw new UnauthorizedException({ status: 'error', error: 'Unauthorized' });
    const identity = await this.introspector.introspect(token);
    if (!identity) throw new UnauthorizedException({ status: 'error', error: 'Unauthorized' });
    const needed = this.reflector.getAllAndMerge<string[]>(SCOPES, [context.getHandler(), context.getClass()]) ?? [];
    const missing = needed.find((scope) => !identity.scopes.includes(scope));
    if (missing !== undefined) throw new ForbiddenException({ status: 'error', error: 'Forbidden', scope: missing });
    (request as unknown as Record<symbol, GatehouseIdentity>)[IDENTITY] = identity;
    return true;
  }
}

/**
 * Protects another Nest application's routes with Gatehouse tokens:
 * `GatehouseAuthModule.forRoot({ url, token })`, then `@UseGuards(GatehouseGuard)` on a
 * controller or route (or `APP_GUARD`), `@GatehouseScopes('notes:read')` where a scope is
 * needed, and `@GatehouseUser()` for who is calling.
 */
@Module({})
export class GatehouseAuthModule {
  static forRoot(options: GatehouseAuthOptions): DynamicModule {
    if (!/^https?:\/\//.test(options.url)) throw new Error('GatehouseAuthModule: url must be an http(s) URL');
    if (!options.token)
      throw new Error('GatehouseAuthModule: token (an access token with the introspect scope) is required');
    return {
      module: GatehouseAuthModule,
      global: true,
      providers: [{ provide: GATEHOUSE_AUTH_OPTIONS, useValue: options }, GatehouseIntrospector, GatehouseGuard],
      exports: [GatehouseIntrospector, GatehouseGuard],
    };
  }
}
