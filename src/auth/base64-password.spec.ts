import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64Password } from './base64-password';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('decodeBase64Password', () => {
  it('decodes standard Base64 of UTF-8 text, with or without padding', () => {
    for (const text of ['secret1', 'secret12', 'secret123', 'zażółć gęślą jaźń', '😀 emoji', 'a', '']) {
      const padded = b64(text);
      assert.equal(decodeBase64Password(padded), text, padded);
      assert.equal(decodeBase64Password(padded.replace(/=+$/, '')), text, padded);
    }
    assert.equal(decodeBase64Password('c2VjcmV0MTI='), 'secret12');
    assert.equal(decodeBase64Password('c2VjcmV0MTI'), 'secret12');
    assert.equal(decodeBase64Password('YQ=='), 'a');
    assert.equal(decodeBase64Password('YQ'), 'a');
  });

  it('uses the + and / characters of the standard alphabet', () => {
    // "ÿ>" is c3 bf 3e; "?ÿ" 3f c3 bf: their Base64 uses + and /.
    assert.equal(b64('ÿ>'), 'w78+');
    assert.equal(decodeBase64Password('w78+'), 'ÿ>');
    assert.equal(b64('?ÿ'), 'P8O/');
    assert.equal(decodeBase64Password('P8O/'), '?ÿ');
  });

  it('refuses the URL-safe alphabet', () => {
    assert.equal(decodeBase64Password('w78-'), null);
    assert.equal(decodeBase64Password('P8O_'), null);
    assert.equal(decodeBase64Password('c2VjcmV0M_I='), null);
  });

  it('refuses characters outside the alphabet, including whitespace', () => {
    for (const value of [
      '!!!!!!!!',
      'c2Vj cmV0MTI=',
      'c2VjcmV0MTI=\n',
      ' c2VjcmV0MTI=',
      'c2Vj\tcmV0',
      'c2VjcmV0MTI.',
      'c2Vj=cmV0MTI',
      'ｃ2VjcmV0MTI=',
    ]) {
      assert.equal(decodeBase64Password(value), null, JSON.stringify(value));
    }
  });

  it('refuses wrong padding and impossible lengths', () => {
    for (const value of ['c2VjcmV0MTI==', 'YQ=', 'YQ===', 'YWJj=', '=', '==', '====', 'A', 'AAAAA', 'YQ==YQ==']) {
      assert.equal(decodeBase64Password(value), null, JSON.stringify(value));
    }
  });

  it('refuses stray bits in the last character', () => {
    assert.equal(decodeBase64Password('QQ=='), 'A');
    assert.equal(decodeBase64Password('QR=='), null);
    assert.equal(decodeBase64Password('QR'), null);
    assert.equal(decodeBase64Password('YWI='), 'ab');
    assert.equal(decodeBase64Password('YWJ='), null);
  });

  it('refuses bytes that are not UTF-8', () => {
    for (const bytes of [
      [0xff],
      [0xc3],
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0x61, 0x80, 0x62],
    ]) {
      const value = Buffer.from(bytes).toString('base64');
      assert.equal(decodeBase64Password(value), null, value);
      assert.equal(decodeBase64Password(value.replace(/=+$/, '')), null, value);
    }
  });

  it('keeps a byte order mark as part of the password', () => {
    assert.equal(decodeBase64Password(b64('\ufeffsecret1')), '\ufeffsecret1');
  });

  it('decodes the largest password the policy allows', () => {
    const text = 'ż'.repeat(512);
    assert.equal(decodeBase64Password(b64(text)), text);
  });
});
