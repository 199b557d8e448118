import { hash, randomBytes } from 'node:crypto';

/** 32 bytes (256 bits) from the CSPRNG, base64url without padding: 43 characters. */
const TOKEN_BYTES = 32;
/** A sign-in's token, or an access token: the `gh_at_` prefix, then as many random characters. */
const TOKEN_SHAPE = /^(?:gh_at_)?[A-Za-z0-9_-]{43}$/;

/**
 * What every access token starts with (CONTRACT section 21), so that secret scanners (GitHub's,
 * gitleaks, trufflehog) can be taught to find one pasted into a repository or a log.
 */
export const ACCESS_TOKEN_PREFIX = 'gh_at_';

export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** An access token: the prefix and 256 bits from the CSPRNG, base64url (49 characters). */
export function generateAccessToken(): string {
  return ACCESS_TOKEN_PREFIX + generateToken();
}

/**
 * What the database keeps: a plain SHA-256 suffices for a 256-bit random secret (no guessing
 * or dictionary attack applies), and it is what the unique index looks tokens up by. Every
 * authenticated request computes it (it keys the session cache too): the one-shot `hash` costs
 * about a third of a createHash object's update and digest.
 */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** A string that could be one of our tokens. Anything else is refused without a query. */
export function isTokenShaped(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}
