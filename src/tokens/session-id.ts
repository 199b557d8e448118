import { randomBytes } from 'node:crypto';

/**
 * A session's public id: 128 random bits, base64url (22 characters). Independent of the token,
 * so it reveals nothing of it, and too long to guess.
 */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Whether `id` could be a session id at all (the column holds up to 32 URL-safe characters):
 * anything else is no session, answered without a query.
 */
export function isSessionIdShaped(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,32}$/.test(id);
}
