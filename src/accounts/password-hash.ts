import { createHmac } from 'node:crypto';
import bcrypt from 'bcryptjs';

/**
 * bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a prefix
 * would be one password. As Django's and passlib's `bcrypt_sha256` hashers do, the password is
 * first condensed to a fixed-size digest, and bcrypt hashes that digest:
 *
 *   stored = "bcrypt-sha256$" + bcrypt(base64(HMAC-SHA256(key = bcrypt salt, msg = password)))
 *
 * - Every byte of the password reaches the digest, and 44 base64 characters fit in bcrypt's 72.
 * - base64, not raw bytes: a raw digest may contain NUL, where some bcrypt implementations stop.
 * - HMAC keyed by the per-hash salt, not a bare SHA-256: a bare digest of a password leaked from
 *   another system could be fed straight into bcrypt ("hash shucking"); a salted one cannot.
 * - bcrypt's cost still governs the price of every guess; the HMAC adds nothing to brute force.
 * The prefix names the construction so a later change of scheme can be recognised on sight.
 */
export const SCHEME_PREFIX = 'bcrypt-sha256$';

function prehash(password: string, salt: string): string {
  return createHmac('sha256', salt).update(password, 'utf8').digest('base64');
}

export function hashPassword(password: string, cost: number): string {
  const salt = bcrypt.genSaltSync(cost);
  return SCHEME_PREFIX + bcrypt.hashSync(prehash(password, salt), salt);
}

export function verifyPassword(password: string, stored: string): boolean {
  if (!stored.startsWith(SCHEME_PREFIX)) return false;
  const inner = stored.slice(SCHEME_PREFIX.length);
  // A bcrypt hash is "$2b$" + two-digit cost + "$" + 22 characters of salt + the digest.
  const salt = inner.slice(0, 29);
  return bcrypt.compareSync(prehash(password, salt), inner);
}

/** A whole bcrypt hash: version, two-digit cost, 22 characters of salt and 31 of digest. */
const BCRYPT_HASH = /^\$2[abxy]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/**
 * The cost a stored hash was made with, or 0 when it is not one of ours. Checked against the
 * whole shape: bcrypt.getRounds answers NaN for a malformed hash, and NaN compares false with
 * every cost, so a damaged hash would never be seen as needing a rehash.
 */
export function costOf(stored: string): number {
  if (!stored.startsWith(SCHEME_PREFIX)) return 0;
  const match = BCRYPT_HASH.exec(stored.slice(SCHEME_PREFIX.length));
  return match ? Number(match[1]) : 0;
}
