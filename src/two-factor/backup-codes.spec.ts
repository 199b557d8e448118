import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BACKUP_CODE_COUNT, generateBackupCodes, hashBackupCode, normaliseBackupCode } from './backup-codes';

describe('backup codes', () => {
  it('are ten readable codes of 50 random bits, all different', () => {
    const codes = generateBackupCodes();
    assert.equal(codes.length, BACKUP_CODE_COUNT);
    for (const code of codes) assert.match(code, /^[a-km-np-z2-9]{5}-[a-km-np-z2-9]{5}$/);
    assert.equal(new Set(codes).size, codes.length);
  });

  it('compare ignoring case, spaces and dashes, and refuse anything else', () => {
    assert.equal(normaliseBackupCode(' AbCde - fGhjk '), 'abcdefghjk');
    assert.equal(normaliseBackupCode('abcde fghjk'), 'abcdefghjk');
    for (const bad of ['abcde-fghj', 'abcde-fghjkm', 'abcde-fghj1', 'abcde-fghjo', '123456', '']) {
      assert.equal(normaliseBackupCode(bad), null, bad);
    }
  });

  it('are kept as an HMAC bound to the key and the account', () => {
    const key = randomBytes(32);
    const hash = hashBackupCode(key, 1, 'abcdefghjk');
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(hashBackupCode(key, 1, 'abcdefghjk'), hash);
    assert.notEqual(hashBackupCode(key, 2, 'abcdefghjk'), hash);
    assert.notEqual(hashBackupCode(randomBytes(32), 1, 'abcdefghjk'), hash);
  });
});
