import { applyDecorators, SetMetadata } from '@nestjs/common';

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

/**
 * Declares a route's (or a whole controller's) authentication level. Every route must carry
 * one: the global AuthGuard refuses any route that does not, and the application refuses to
 * start with one.
 */
export const Auth = (level: AuthLevel) => applyDecorators(SetMetadata(AUTH_LEVEL, level));
