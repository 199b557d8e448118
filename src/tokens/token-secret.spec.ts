import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateAccessToken, generateToken, hashToken, isTokenShaped } from './token-secret';

describe('token secrets', () => {
  it('hashes a token to the hex SHA-256 of its UTF-8 text (what the tokens table holds)', () => {
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    assert.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const token = generateToken();
    assert.match(hashToken(token), /^[0-9a-f]{64}$/);
    assert.equal(hashToken(token), hashToken(token));
    assert.notEqual(hashToken(token), hashToken(generateToken()));
  });

  it('issues 43 base64url characters, the only shape a token check looks up', () => {
    const token = generateToken();
    assert.ok(isTokenShaped(token));
    assert.equal(isTokenShaped(`${token}=`), false);
    assert.equal(isTokenShaped(token.slice(1)), false);
  });

  it('issues access tokens with the gh_at_ prefix and 256 random bits', () => {
    const token = generateAccessToken();
    assert.match(token, /^gh_at_[A-Za-z0-9_-]{43}$/);
    assert.ok(isTokenShaped(token));
    assert.equal(isTokenShaped(`gh_at_${token.slice(6, 20)}`), false);
    assert.equal(isTokenShaped(`xx_at_${token.slice(6)}`), false);
    assert.notEqual(generateAccessToken(), token);
  });
});
