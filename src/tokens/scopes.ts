/**
 * Scopes of access tokens (CONTRACT section 21): Gatehouse's own, and those extension modules
 * declare on routes and socket events with @RequireScope (src/auth/scope.ts). A sign-in's token
 * has every scope; an access token only those it was granted.
 */

/** GET /api/auth/me, GET /api/auth/tokens (and GET /api/auth/passkeys). */
export const SCOPE_ACCOUNT_READ = 'account:read';
/** GET /api/auth/sessions and GET /api/auth/activity. */
export const SCOPE_SESSIONS_READ = 'sessions:read';
/** POST /api/auth/introspect, for the caller's token. */
export const SCOPE_INTROSPECT = 'introspect';
/** Opening a socket.io connection. */
export const SCOPE_SOCKET = 'socket';

/** Gatehouse's own scopes, in the order they are documented. */
export const GATEHOUSE_SCOPES: readonly string[] = [
  SCOPE_ACCOUNT_READ,
  SCOPE_SESSIONS_READ,
  SCOPE_INTROSPECT,
  SCOPE_SOCKET,
];

/**
 * What a scope name may be: lower-case letters, digits and `:._-`, starting with a letter, at
 * most 64 characters (`notes:read`, `billing.invoices:write`). No space: scopes are stored and
 * introspected space-separated.
 */
export const SCOPE_SHAPE = /^[a-z][a-z0-9:._-]{0,63}$/;

/** The stored, space-separated scopes of an access token, as a set. */
export function parseScopes(stored: string): ReadonlySet<string> {
  return new Set(stored.split(' ').filter((scope) => scope !== ''));
}

/** Whether a session may use something that needs `scope`: a sign-in's token may use anything. */
export function hasScope(scopes: ReadonlySet<string> | null, scope: string): boolean {
  return scopes === null || scopes.has(scope);
}
