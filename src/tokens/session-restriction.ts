import type { Session } from './session';

/**
 * Whether a valid token may be used beyond the few routes that let an account make itself
 * compliant (routes marked @AcceptsRestrictedToken, src/auth/restricted-token.ts): under
 * TWO_FACTOR=required, a token not issued by a two-factor sign-in is restricted. Declared here and
 * provided by src/two-factor, so that the HTTP guard, the socket handshake (and introspection)
 * ask one rule without depending on the feature. It runs on every authenticated request: an
 * implementation only reads the session.
 */
export abstract class SessionRestriction {
  /** Whether any session can be restricted at all (TWO_FACTOR=required): the OpenAPI document then lists the 403. */
  abstract readonly active: boolean;
  abstract restricted(session: Session): boolean;
}

/** Where no restriction applies (the owner's tools check no tokens; an application without the feature). */
export const UNRESTRICTED: SessionRestriction = { active: false, restricted: () => false };
