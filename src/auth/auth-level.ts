import { SetMetadata } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { ApiExtension, ApiSecurity } from '@nestjs/swagger';

/** The three authentication levels of the Birdhouse documentation, for every endpoint. */
export enum AuthLevel {
  /** Served to anyone; a token header is ignored. */
  NotNeeded = 'not needed',
  /** Served anonymously without a token, as the account with a valid one; a bad token is 401. */
  Optional = 'optional',
  /** A valid token is required; anything else is 401. */
  Required = 'required',
}

export const AUTH_LEVEL = 'gatehouse:auth-level';

/** The OpenAPI security scheme of the `Authentication` header (see src/docs). */
export const TOKEN_SCHEME = 'Authentication';

/** What each level means as an OpenAPI security requirement: `{}` is "no token at all". */
const SECURITY: Record<AuthLevel, Record<string, string[]>[]> = {
  [AuthLevel.NotNeeded]: [],
  [AuthLevel.Optional]: [{ [TOKEN_SCHEME]: [] }, {}],
  [AuthLevel.Required]: [{ [TOKEN_SCHEME]: [] }],
};

/** The documentation of one level on one handler: the `x-auth-level` extension and `security`. */
function document(handler: object, level: AuthLevel): void {
  ApiExtension('x-auth-level', level)(handler, '', { value: handler });
  // ApiSecurity appends requirements; a level replaces them, so write the list whole.
  Reflect.defineMetadata('swagger/apiSecurity', [], handler);
  for (const requirement of SECURITY[level]) ApiSecurity(requirement)(handler, '', { value: handler });
}

/**
 * Declares a route's (or a whole controller's) authentication level. Every route must carry
 * one: the global AuthGuard refuses any route that does not, and the application refuses to
 * start with one. The same decorator writes the level into the OpenAPI document, so a route
 * cannot be documented with another level than the one the guard enforces; a level on a
 * method wins over the controller's, as in the guard.
 */
export const Auth =
  (level: AuthLevel): ClassDecorator & MethodDecorator =>
  (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      SetMetadata(AUTH_LEVEL, level)(target, key!, descriptor);
      document(descriptor.value as object, level);
      return;
    }
    SetMetadata(AUTH_LEVEL, level)(target as () => unknown);
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = Object.getOwnPropertyDescriptor(prototype, name)?.value as object | undefined;
      if (name === 'constructor' || typeof handler !== 'function') continue;
      if (!Reflect.hasMetadata(METHOD_METADATA, handler) || Reflect.hasMetadata(AUTH_LEVEL, handler)) continue;
      document(handler, level);
    }
  };
