import { createHmac, randomInt } from 'node:crypto';

/** 32 letters and digits without look-alikes (no 0/o, 1/l): 5 bits each. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
/** 10 characters: 50 bits from the CSPRNG, shown as `xxxxx-xxxxx`. */
const LENGTH = 10;
const SHAPE = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/** How many codes an account holds after enabling two-factor or asking for new ones. */
export const BACKUP_CODE_COUNT = 10;

/** A fresh set of backup codes, each `xxxxx-xxxxx`. */
export function generateBackupCodes(count = BACKUP_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** The code as compared, case, spaces and dashes aside; null for anything that cannot be one. */
export function normaliseBackupCode(input: string): string | null {
  const code = input.replace(/[\s-]+/g, '').toLowerCase();
  return SHAPE.test(code) ? code : null;
}

/**
 * What the database keeps: HMAC-SHA256 of the account id and the normalised code under a key
 * derived from SECRETS_KEY. 50 bits could be searched from a plain hash; without the key, a copy
 * of the database gives nothing to search with.
 */
export function hashBackupCode(key: Buffer, accountId: number, normalised: string): string {
  return createHmac('sha256', key).update(`${accountId}:${normalised}`).digest('hex');
}
