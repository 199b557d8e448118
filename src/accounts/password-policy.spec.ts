import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPassword, PASSWORD_MAX_BYTES } from './password-policy';

describe('checkPassword', () => {
  it('counts the minimum length in code points', () => {
    assert.deepEqual(checkPassword('123456', 6), { ok: true });
    assert.deepEqual(checkPassword('éééééé', 6), { ok: true }); // 12 bytes
    assert.deepEqual(checkPassword('😀😀😀😀😀😀', 6), { ok: true }); // 12 UTF-16 units
    for (const password of ['', '12345', '😀😀😀😀😀', 'e\u0301e\u0301']) {
      const check = checkPassword(password, 6);
      assert.equal(check.ok, false, JSON.stringify(password));
      assert.match(check.ok ? '' : check.reason, /at least 6 characters/);
    }
    assert.deepEqual(checkPassword('x', 1), { ok: true });
    assert.equal(checkPassword('x'.repeat(11), 12).ok, false);
  });

  it('allows at most 1024 bytes of UTF-8', () => {
    assert.equal(PASSWORD_MAX_BYTES, 1024);
    assert.deepEqual(checkPassword('x'.repeat(1024), 6), { ok: true });
    assert.deepEqual(checkPassword('é'.repeat(512), 6), { ok: true });
    assert.deepEqual(checkPassword('😀'.repeat(256), 6), { ok: true });
    for (const password of ['x'.repeat(1025), 'é'.repeat(513), '😀'.repeat(256) + 'x']) {
      const check = checkPassword(password, 6);
      assert.equal(check.ok, false);
      assert.match(check.ok ? '' : check.reason, /at most 1024 bytes/);
    }
  });

  it('refuses lone surrogates, which have no UTF-8 form', () => {
    for (const password of ['secret\ud800', '\udfffsecret', 'sec\ud83dret']) {
      const check = checkPassword(password, 6);
      assert.equal(check.ok, false);
      assert.match(check.ok ? '' : check.reason, /Unicode/);
    }
  });

  it('allows spaces, controls and any other text', () => {
    for (const password of ['      ', 'pass word', 'tab\there', 'nul\u0000byte', 'zażółć gęślą jaźń']) {
      assert.deepEqual(checkPassword(password, 6), { ok: true }, JSON.stringify(password));
    }
  });
});
