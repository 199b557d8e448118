import { SetMetadata } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

export const ACCEPTS_RESTRICTED_TOKEN = 'gatehouse:accepts-restricted-token';

/**
 * Marks one of the few routes a restricted token may use (CONTRACT section 18: under
 * TWO_FACTOR=required, a token not issued by a two-factor sign-in): those that show the account
 * and let it set up a second factor or sign out. AuthGuard refuses a restricted token on every
 * other route of level optional or required, extension routes included, with
 * `"secondFactor":"setup-required"`. Gatehouse's own routes only: the list is the contract's.
 */
export const AcceptsRestrictedToken = (): MethodDecorator => SetMetadata(ACCEPTS_RESTRICTED_TOKEN, true);

/** 403: the server requires two-factor sign-in and the caller's token was issued without it. */
export const setupRequired = (): DomainError =>
  new DomainError('forbidden', 'this server requires two-factor sign-in: set it up (POST /api/auth/2fa/setup)', {
    fields: { secondFactor: 'setup-required' },
  });
