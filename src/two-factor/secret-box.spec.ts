import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBox, SecretUnreadable } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));
  const secret = randomBytes(20);

  it('opens what it sealed, for the same account, and seals afresh each time', () => {
    const sealed = box.seal(7, secret);
    assert.match(sealed, /^v1\.[A-Za-z0-9+/]+=*$/);
    assert.ok(!sealed.includes(secret.toString('base64')));
    assert.deepEqual(box.open(7, sealed), secret);
    assert.notEqual(box.seal(7, secret), sealed);
  });

  it('refuses another account, another key, and any changed byte', () => {
    const sealed = box.seal(7, secret);
    assert.throws(() => box.open(8, sealed), SecretUnreadable);
    assert.throws(() => new SecretBox(randomBytes(32)).open(7, sealed), SecretUnreadable);
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1] ^= 1;
    assert.throws(() => box.open(7, `v1.${bytes.toString('base64')}`), SecretUnreadable);
    for (const bad of ['', 'v1.', 'v2.AAAA', 'plain text']) assert.throws(() => box.open(7, bad), SecretUnreadable);
  });
});
