import { SetMetadata } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { SCOPE_SHAPE } from '../tokens/scopes';

export const REQUIRED_SCOPE = 'gatehouse:required-scope';
export const ACCEPTS_OWN_ACCESS_TOKEN = 'gatehouse:accepts-own-access-token';

/**
 * Declares the scope an access token needs for a route or a socket event (CONTRACT section 21),
 * on a handler or a whole controller or gateway:
 *
 *     @Get() @Auth(AuthLevel.Required) @RequireScope('notes:read') list(...) {}
 *     @SubscribeMessage('notes:list') @RequireScope('notes:read') list(...) {}
 *
 * A token from a sign-in has every scope; an access token without this one is refused with
 * `403` and `"scope":"notes:read"` (a socket event: the same error body, through its
 * acknowledgement or as an `exception` event). A route that declares no scope never accepts an
 * access token, so every route that changes the account, and every route added later, is for
 * sign-in tokens only until it says otherwise. A socket event without a scope is open to every
 * socket: opening one already needs the `socket` scope. The scope is shown in the OpenAPI
 * document (`x-gatehouse-scope`) and in the surface snapshot, and it becomes one an access
 * token can be created with. A name is lower-case letters, digits and `:._-`, at most 64
 * characters; anything else stops the start.
 */
export const RequireScope = (scope: string): ClassDecorator & MethodDecorator => {
  if (!SCOPE_SHAPE.test(scope))
    throw new Error(`scope "${scope}" must be 1 to 64 of a-z, 0-9 and ":._-", starting with a letter`);
  return SetMetadata(REQUIRED_SCOPE, scope);
};

/**
 * Gatehouse's own POST /api/auth/invalidate only: an access token may use this route, which
 * declares no scope, to revoke itself (and nothing else).
 */
export const AcceptsOwnAccessToken = (): MethodDecorator => SetMetadata(ACCEPTS_OWN_ACCESS_TOKEN, true);

/** 403: an access token without the scope the route or event needs; `scope` names it. */
export const missingScope = (scope: string): DomainError =>
  new DomainError('forbidden', `this access token lacks the scope "${scope}"`, { fields: { scope } });

/** 403: an access token on a route that takes none (one that changes the account, or declares no scope). */
export const sessionOnly = (): DomainError =>
  new DomainError('forbidden', 'this call takes a token from a sign-in, not an access token');
