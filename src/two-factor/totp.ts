import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';

/** RFC 6238 as every authenticator app assumes it: HMAC-SHA-1, 6 digits, 30-second steps. */
const PERIOD_MS = 30_000;
const DIGITS = 6;
/** 160 bits, the size RFC 4226 recommends (the contract asks for at least that). */
const SECRET_BYTES = 20;

/** A new authenticator secret from the CSPRNG. */
export function newTotpSecret(): Buffer {
  return randomBytes(SECRET_BYTES);
}

/** The secret as authenticator apps take it: RFC 4648 Base32, unpadded. */
export function base32Of(secret: Buffer): string {
  return new Secret({ buffer: Uint8Array.from(secret).buffer }).base32.replace(/=+$/, '');
}

/**
 * The enrolment URI, exactly as the contract writes it: issuer and handle percent-encoded, the
 * secret unpadded Base32, and no other parameter (SHA-1, 6 digits and 30 seconds are what every
 * app assumes).
 */
export function otpauthUri(issuer: string, handle: string, secret: Buffer): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(handle)}`;
  return `otpauth://totp/${label}?secret=${base32Of(secret)}&issuer=${encodeURIComponent(issuer)}`;
}

/** The 30-second step that `now` (epoch ms) falls in. */
export function stepAt(now: number): number {
  return Math.floor(now / PERIOD_MS);
}

/** The code of one step. */
export function codeAt(secret: Buffer, step: number): string {
  return HOTP.generate({
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
    counter: step,
    digits: DIGITS,
  });
}

/**
 * The step, among the one `now` falls in and its two neighbours (a clock a step off either way),
 * whose code `code` is; the latest when several match; null when none does. Compared in constant
 * time. Whether the step is still unused is for the caller to decide (TwoFactorStore.advanceStep).
 */
export function matchingStep(secret: Buffer, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = stepAt(now);
  let found: number | null = null;
  for (const step of [current - 1, current, current + 1]) {
    if (timingSafeEqual(Buffer.from(codeAt(secret, step)), Buffer.from(code))) found = step;
  }
  return found;
}
