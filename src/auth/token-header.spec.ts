import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenFromHeaders } from './token-header';

const TOKEN = 'q3Z0x-_Abcdefghijklmnopqrstuvwxyz0123456789';
const token = (value: string) => ({ kind: 'token', token: value });
const NONE = { kind: 'none' };
const MALFORMED = { kind: 'malformed' };

describe('tokenFromHeaders', () => {
  it('reads a bare token from Authentication', () => {
    assert.deepEqual(tokenFromHeaders(TOKEN, undefined), token(TOKEN));
    assert.deepEqual(tokenFromHeaders(`  ${TOKEN}  `, undefined), token(TOKEN));
  });

  it('reads Bearer <token> from Authentication, in any case, after one or several spaces or tabs', () => {
    for (const value of [
      `Bearer ${TOKEN}`,
      `bearer ${TOKEN}`,
      `BEARER ${TOKEN}`,
      `bEaReR ${TOKEN}`,
      `Bearer    ${TOKEN}`,
      `Bearer\t${TOKEN}`,
      `Bearer \t ${TOKEN} `,
    ]) {
      assert.deepEqual(tokenFromHeaders(value, undefined), token(TOKEN), JSON.stringify(value));
    }
  });

  it('reads Authorization only in the Bearer form', () => {
    assert.deepEqual(tokenFromHeaders(undefined, `Bearer ${TOKEN}`), token(TOKEN));
    assert.deepEqual(tokenFromHeaders(undefined, `bearer   ${TOKEN}`), token(TOKEN));
    for (const value of [
      TOKEN,
      `Basic ${TOKEN}`,
      `Token ${TOKEN}`,
      'Bearer',
      'Bearer ',
      `Bearer ${TOKEN} extra`,
      `Bearer${TOKEN}`,
    ]) {
      assert.deepEqual(tokenFromHeaders(undefined, value), MALFORMED, JSON.stringify(value));
    }
  });

  it('prefers Authentication to Authorization', () => {
    assert.deepEqual(tokenFromHeaders('first', 'Bearer second'), token('first'));
    assert.deepEqual(tokenFromHeaders('', `Bearer ${TOKEN}`), token(TOKEN));
    assert.deepEqual(tokenFromHeaders('   ', `Bearer ${TOKEN}`), token(TOKEN));
  });

  it('treats missing and empty headers as absent', () => {
    assert.deepEqual(tokenFromHeaders(undefined, undefined), NONE);
    assert.deepEqual(tokenFromHeaders('', ''), NONE);
    assert.deepEqual(tokenFromHeaders(' \t ', '  '), NONE);
    assert.deepEqual(tokenFromHeaders([], undefined), NONE);
  });

  it('reports malformed values instead of ignoring them', () => {
    for (const value of [`Basic ${TOKEN}`, `Bearer ${TOKEN} extra`, `${TOKEN} ${TOKEN}`, 'Bearer a b', 'Token: x y']) {
      assert.deepEqual(tokenFromHeaders(value, undefined), MALFORMED, JSON.stringify(value));
    }
    // A scheme with no token is refused one way or another, never read as "no header".
    assert.notDeepEqual(tokenFromHeaders('Bearer', undefined), NONE);
    assert.notDeepEqual(tokenFromHeaders('Bearer   ', undefined), NONE);
    // A malformed Authentication is not rescued by a valid Authorization.
    assert.deepEqual(tokenFromHeaders(`Basic ${TOKEN}`, `Bearer ${TOKEN}`), MALFORMED);
  });

  it('reads a header sent once, and refuses one sent several times', () => {
    assert.deepEqual(tokenFromHeaders([TOKEN], undefined), token(TOKEN));
    assert.deepEqual(tokenFromHeaders([TOKEN, TOKEN], undefined), MALFORMED);
    assert.deepEqual(tokenFromHeaders(undefined, [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]), MALFORMED);
  });
});
