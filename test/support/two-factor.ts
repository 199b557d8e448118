import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import type { Clock } from '../../src/clock/clock';
import { b64, type client } from './http';

/** One 30-second step of RFC 6238. */
export const STEP_MS = 30_000;

/** The authenticator code of `secret` (Base32, as setup gives it) at `at` (epoch ms), computed by the test. */
export function totp(secret: string, at: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at });
}

export interface Enrolled {
  secret: string;
  backupCodes: string[];
  /** The answer of 2fa/enable. */
  revoked: number;
}

/**
 * Sets two-factor up and turns it on for the token's account, with a code computed at the app's
 * clock; then moves the clock a step on, so that the next code is a fresh one.
 */
export async function enrol(
  api: ReturnType<typeof client>,
  token: string,
  password: string,
  clock: Clock & { advance(ms: number): void },
): Promise<Enrolled> {
  const auth = { Authentication: token };
  const setup = await api.post('/api/auth/2fa/setup', { pwd: b64(password) }, auth);
  assert.equal(setup.status, 200, setup.text);
  const enabled = await api.post('/api/auth/2fa/enable', { code: totp(setup.body.secret, clock.now()) }, auth);
  assert.equal(enabled.status, 200, enabled.text);
  clock.advance(STEP_MS);
  return { secret: setup.body.secret, backupCodes: enabled.body.backupCodes, revoked: enabled.body.revoked };
}
