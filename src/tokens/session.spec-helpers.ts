import type { Session } from './session';

/** A sign-in session of account 1 (`alice`) for unit specs: token `tokenId`, expiring at `expiresAt`. */
export function testSession(tokenId: number, expiresAt: number): Session {
  return {
    tokenId,
    accountId: 1,
    login: 'alice',
    accountCreatedAt: 0,
    issuedAt: 0,
    expiresAt,
    lastUsedAt: null,
    twoFactor: false,
    method: null,
    secondFactor: false,
    kind: 'session',
    scopes: null,
  };
}
