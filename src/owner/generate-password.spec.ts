import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPassword } from '../accounts/password-policy';
import { generatePassword } from './generate-password';

describe('generatePassword', () => {
  it('makes 24 URL-safe characters by default, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const password = generatePassword();
      assert.match(password, /^[A-Za-z0-9_-]{24}$/);
      seen.add(password);
    }
    assert.equal(seen.size, 1000);
  });

  it('is never shorter than the configured minimum, and always passes the password rules', () => {
    for (const min of [1, 6, 24, 25, 40, 255, 256]) {
      const password = generatePassword(min);
      assert.equal(password.length, Math.max(24, min));
      assert.deepEqual(checkPassword(password, min), { ok: true });
    }
  });
});
