import { createHash } from 'node:crypto';

/**
 * The Redis key for a counter: its kind and a SHA-256 digest of what it counts (an account and
 * a client address, say). Keys stay short and free of control characters, and a listing of the
 * server's keys does not show logins or addresses in plain text.
 */
export function counterKey(kind: string, key: string): string {
  return `${kind}:${createHash('sha256').update(key).digest('base64url')}`;
}
