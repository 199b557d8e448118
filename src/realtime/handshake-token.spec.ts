import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_HANDSHAKE_TOKEN_LENGTH, tokenFromHandshake } from './handshake-token';

const TOKEN = 'A'.repeat(43);
const OTHER = 'B'.repeat(43);
const shake = (auth: unknown, headers: Record<string, string | string[] | undefined> = {}) =>
  tokenFromHandshake({ auth, headers });

describe('tokenFromHandshake', () => {
  it('reads auth.token', () => {
    assert.deepEqual(shake({ token: TOKEN }), { kind: 'token', token: TOKEN });
  });

  it('prefers auth.token over the headers', () => {
    assert.deepEqual(shake({ token: TOKEN }, { authentication: OTHER }), { kind: 'token', token: TOKEN });
    assert.deepEqual(shake({ token: TOKEN }, { authorization: 'Basic zzz' }), { kind: 'token', token: TOKEN });
  });

  it('reads the headers as HTTP does when auth carries no token', () => {
    for (const auth of [undefined, null, {}, { token: undefined }, { token: null }, { token: '' }, { other: TOKEN }]) {
      assert.deepEqual(shake(auth, { authentication: TOKEN }), { kind: 'token', token: TOKEN }, JSON.stringify(auth));
    }
    assert.deepEqual(shake({}, { authentication: `bEaReR   ${TOKEN}` }), { kind: 'token', token: TOKEN });
    assert.deepEqual(shake({}, { authorization: `Bearer ${TOKEN}` }), { kind: 'token', token: TOKEN });
    assert.deepEqual(shake({}, { authentication: TOKEN, authorization: `Bearer ${OTHER}` }), {
      kind: 'token',
      token: TOKEN,
    });
  });

  it('finds nothing when nothing is presented', () => {
    assert.deepEqual(shake({}), { kind: 'none' });
    assert.deepEqual(shake(undefined, { authentication: '', authorization: '  ' }), { kind: 'none' });
  });

  it('calls an auth.token that is not a string malformed, without falling back to a header', () => {
    for (const token of [42, 0, false, true, {}, { token: TOKEN }, [TOKEN], Number.NaN]) {
      assert.deepEqual(shake({ token }, { authentication: TOKEN }), { kind: 'malformed' }, String(token));
    }
  });

  it('calls an oversized token malformed, from auth or from a header', () => {
    const long = 'x'.repeat(MAX_HANDSHAKE_TOKEN_LENGTH + 1);
    assert.deepEqual(shake({ token: long }), { kind: 'malformed' });
    assert.deepEqual(shake({}, { authentication: long }), { kind: 'malformed' });
    assert.deepEqual(shake({}, { authorization: `Bearer ${long}` }), { kind: 'malformed' });
    const longest = 'x'.repeat(MAX_HANDSHAKE_TOKEN_LENGTH);
    assert.deepEqual(shake({ token: longest }), { kind: 'token', token: longest });
  });

  it('calls malformed headers malformed', () => {
    assert.deepEqual(shake({}, { authentication: 'two words here' }), { kind: 'malformed' });
    assert.deepEqual(shake({}, { authorization: TOKEN }), { kind: 'malformed' });
    assert.deepEqual(shake({}, { authorization: `Basic ${TOKEN}` }), { kind: 'malformed' });
  });

  it('never reads a query string, even one handed over as a header-like field', () => {
    const handshake = { auth: {}, headers: {}, query: { token: TOKEN }, url: `/socket.io/?token=${TOKEN}` };
    assert.deepEqual(tokenFromHandshake(handshake), { kind: 'none' });
  });

  it('ignores an inherited token property', () => {
    assert.deepEqual(shake(Object.create({ token: TOKEN })), { kind: 'none' });
  });
});
