import { randomBytes } from 'node:crypto';

/**
 * A session's public id: 128 random bits, base64url (22 characters). Independent of the token,
 * so it reveals nothing of it, and too long to guess.
 */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}
