import { type PresentedToken, tokenFromHeaders } from '../auth/token-header';

/**
 * Longer than any token Gatehouse issues (43 characters) by a wide margin: anything longer is
 * refused before it is hashed or matched.
 */
export const MAX_HANDSHAKE_TOKEN_LENGTH = 512;

/** The parts of a socket.io handshake that may carry a token. */
export interface HandshakeLike {
  auth?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Reads the token a socket.io client presents: `auth: { token }` when it is given, otherwise
 * the `Authentication` / `Authorization` headers exactly as HTTP reads them. The query string
 * is never consulted: URLs end up in logs and browser history.
 *
 * An `auth.token` that is not a string, or is too long, is malformed (refused), never ignored
 * in favour of a header: what the client meant to send decides. An empty one counts as absent,
 * as an empty header does.
 */
export function tokenFromHandshake(handshake: HandshakeLike): PresentedToken {
  const auth = handshake.auth;
  const fromAuth =
    auth !== null && typeof auth === 'object' && Object.hasOwn(auth, 'token')
      ? (auth as { token: unknown }).token
      : undefined;
  if (fromAuth !== undefined && fromAuth !== null && fromAuth !== '') {
    if (typeof fromAuth !== 'string' || fromAuth.length > MAX_HANDSHAKE_TOKEN_LENGTH) return { kind: 'malformed' };
    return { kind: 'token', token: fromAuth };
  }
  const presented = tokenFromHeaders(handshake.headers.authentication, handshake.headers.authorization);
  if (presented.kind === 'token' && presented.token.length > MAX_HANDSHAKE_TOKEN_LENGTH) return { kind: 'malformed' };
  return presented;
}
