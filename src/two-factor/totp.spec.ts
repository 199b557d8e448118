import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base32Of, codeAt, matchingStep, otpauthUri, stepAt } from './totp';

/** RFC 6238 appendix B's SHA-1 secret: the ASCII of "12345678901234567890". */
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP codes', () => {
  it("gives RFC 6238's test values (the last six digits of its eight)", () => {
    for (const [seconds, eight] of [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ] as const) {
      assert.equal(codeAt(RFC_SECRET, stepAt(seconds * 1000)), eight.slice(2), String(seconds));
    }
  });

  it('accepts a code of the step now or either neighbour, and names that step', () => {
    const now = 1_700_000_000_000;
    const step = stepAt(now);
    for (const delta of [-1, 0, 1])
      assert.equal(matchingStep(RFC_SECRET, codeAt(RFC_SECRET, step + delta), now), step + delta);
    for (const delta of [-2, 2]) assert.equal(matchingStep(RFC_SECRET, codeAt(RFC_SECRET, step + delta), now), null);
    for (const bad of ['', '12345', '1234567', 'abcdef', ' 123456'])
      assert.equal(matchingStep(RFC_SECRET, bad, now), null);
  });

  it('shows the secret as unpadded Base32 and writes the URI exactly as the contract does', () => {
    assert.equal(base32Of(RFC_SECRET), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.equal(base32Of(Buffer.from('a')), 'ME');
    assert.equal(
      otpauthUri('Acme & Co', 'al:ice/ü', RFC_SECRET),
      'otpauth://totp/Acme%20%26%20Co:al%3Aice%2F%C3%BC?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20%26%20Co',
    );
  });
});
