import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateRecoveryCode, hashRecoveryCode, normaliseRecoveryCode, sameHash } from './recovery-code-secret';

describe('recovery codes', () => {
  it('are six groups of four base32 characters, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = generateRecoveryCode();
      assert.match(code, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
      seen.add(code);
    }
    assert.equal(seen.size, 2000);
  });

  it('use every character of the alphabet about equally often (120 random bits)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const c of generateRecoveryCode().replace(/-/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    assert.equal(counts.size, 32);
    // 48,000 characters: 1,500 expected per character; a biased generator would stray far.
    for (const [c, n] of counts) assert.ok(n > 1200 && n < 1800, `${c}: ${n}`);
  });

  it('compare without regard to case, spaces or dashes', () => {
    const code = generateRecoveryCode();
    const plain = code.replace(/-/g, '');
    for (const typed of [
      code,
      code.toLowerCase(),
      plain,
      ` ${code.replace(/-/g, ' ')} `,
      plain.match(/.{6}/g)!.join('-'),
    ]) {
      assert.equal(normaliseRecoveryCode(typed), plain, typed);
    }
    assert.equal(hashRecoveryCode(normaliseRecoveryCode(code.toLowerCase())!), hashRecoveryCode(plain));
  });

  it('refuse anything that cannot be a code', () => {
    for (const bad of [
      '',
      'ABCD',
      'A'.repeat(23),
      'A'.repeat(25),
      '0BCD-EFGH-IJKL-MNOP-QRST-UVWX',
      'ÄBCD-EFGH-IJKL-MNOP-QRST-UVWX',
    ]) {
      assert.equal(normaliseRecoveryCode(bad), null, bad);
    }
  });

  it('store a SHA-256 digest, never the code, and compare digests exactly', () => {
    const plain = normaliseRecoveryCode(generateRecoveryCode())!;
    const hash = hashRecoveryCode(plain);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.ok(!hash.includes(plain));
    assert.ok(sameHash(hash, hashRecoveryCode(plain)));
    assert.ok(!sameHash(hash, hashRecoveryCode(normaliseRecoveryCode(generateRecoveryCode())!)));
    assert.ok(!sameHash(hash, ''));
  });
});
