import { randomBytes } from 'node:crypto';

/** 24 URL-safe characters carry 144 random bits: far beyond guessing, short enough to type. */
const DEFAULT_LENGTH = 24;

/**
 * A random password for an owner reset, from the CSPRNG. It is never shorter than the
 * configured minimum, and uses only [A-Za-z0-9_-] so that it survives copying and shells.
 */
export function generatePassword(minLength = 0): string {
  const length = Math.max(DEFAULT_LENGTH, minLength);
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString('base64url')
    .slice(0, length);
}
