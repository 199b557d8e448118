import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** RFC 4648 base32: no 0/1/8/9, so a code read aloud or copied by hand has no look-alikes in it. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 24 characters of 5 bits: 120 bits from the CSPRNG (the contract asks for at least 112). */
const LENGTH = 24;
const GROUP = 4;
const SHAPE = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/** A new recovery code, in groups of four: `ABCD-EFGH-IJKL-MNOP-QRST-UVWX`. */
export function generateRecoveryCode(): string {
  const bytes = randomBytes(LENGTH);
  // 256 is a multiple of 32, so taking each byte modulo 32 keeps every character equally likely.
  const chars = Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length]).join('');
  return chars.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-');
}

/**
 * The code as compared: case, spaces and dashes do not matter, so a user may type it as it
 * was read to them. Null for anything that cannot be a code (refused without a query).
 */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input.replace(/[\s-]+/g, '').toUpperCase();
  return SHAPE.test(code) ? code : null;
}

/**
 * What the database keeps: SHA-256 of the normalised code. A plain hash is enough for 120
 * random bits (no dictionary applies), and a copy of the database does not reveal the code.
 */
export function hashRecoveryCode(normalised: string): string {
  return createHash('sha256').update(normalised, 'utf8').digest('hex');
}

/** Compares two hex digests without an early exit. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
