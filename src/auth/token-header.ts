/** What a request's headers present, before any lookup. */
export type PresentedToken = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed' };

type HeaderValue = string | string[] | undefined;

const BEARER = /^bearer[ \t]+(\S+)$/i;
const BARE = /^(\S+)$/;

function single(value: HeaderValue): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : value.join(', ');
  return value;
}

/**
 * Reads the token from `Authentication` (bare, or `Bearer <token>`) or, failing that, from
 * `Authorization: Bearer <token>`. The scheme is case-insensitive and may be followed by
 * several spaces. An empty header counts as absent; anything else that is not one of these
 * forms is malformed (401), never silently ignored.
 */
export function tokenFromHeaders(authentication: HeaderValue, authorization: HeaderValue): PresentedToken {
  const primary = single(authentication)?.trim();
  if (primary) {
    const match = BEARER.exec(primary) ?? BARE.exec(primary);
    return match ? { kind: 'token', token: match[1] } : { kind: 'malformed' };
  }
  const secondary = single(authorization)?.trim();
  if (secondary) {
    const match = BEARER.exec(secondary);
    return match ? { kind: 'token', token: match[1] } : { kind: 'malformed' };
  }
  return { kind: 'none' };
}
