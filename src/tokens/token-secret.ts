import { hash, randomBytes } from 'node:crypto';

/** 32 bytes (256 bits) from the CSPRNG, base64url without padding: 43 characters. */
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
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
