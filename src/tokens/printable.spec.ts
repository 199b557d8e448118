import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  escapeControlCharacters,
  escapeControlCharactersIn,
  escapeJsonLine,
  isPrintable,
  isPrintableName,
} from './printable';

describe('escapeControlCharacters', () => {
  it('escapes C0 controls and DEL as \\xHH', () => {
    assert.equal(escapeControlCharacters('\u001b[31mred\u001b[0m'), '\\x1b[31mred\\x1b[0m');
    assert.equal(escapeControlCharacters('a\r\nb\tc\u0000d\u007f'), 'a\\x0d\\x0ab\\x09c\\x00d\\x7f');
  });

  it('escapes C1 controls, bidirectional controls, separators and lone surrogates as \\uHHHH', () => {
    assert.equal(escapeControlCharacters('\u009b31m\u0085'), '\\u009b31m\\u0085');
    assert.equal(escapeControlCharacters('abc\u202edcba\u202c'), 'abc\\u202edcba\\u202c');
    assert.equal(escapeControlCharacters('\u2066x\u2069\u200e\u200f\u061c'), '\\u2066x\\u2069\\u200e\\u200f\\u061c');
    assert.equal(escapeControlCharacters('line\u2028para\u2029'), 'line\\u2028para\\u2029');
    assert.equal(escapeControlCharacters('lone \ud800 and \udfff'), 'lone \\ud800 and \\udfff');
  });

  it('leaves printable text alone, whatever its script', () => {
    for (const text of [
      '',
      'Firefox on Linux',
      'Ærøskøbing — naïve café',
      'Ğöktürk 東京 Москва',
      'emoji 👩‍👩‍👧 (a ZWJ sequence) 🇵🇱',
      'back\\slash and \\x1b as typed',
      '203.0.113.7',
      'fe80::1%eth0',
    ]) {
      assert.equal(escapeControlCharacters(text), text);
      assert.equal(isPrintable(text), true, text);
    }
  });

  it('leaves nothing unprintable behind, for every code point below U+3000', () => {
    for (let code = 0; code < 0x3000; code++) {
      const escaped = escapeControlCharacters(`<${String.fromCharCode(code)}>`);
      assert.equal(isPrintable(escaped), true, code.toString(16));
      assert.ok(/^<.*>$/su.test(escaped));
    }
    assert.equal(isPrintable('a\u0085b'), false);
    assert.equal(isPrintable('a\u0085b'), false, 'the same answer twice (no regex state kept)');
  });
});

describe('escapeControlCharactersIn', () => {
  it('escapes every string of a structure, keys included, and leaves the rest as it is', () => {
    assert.deepEqual(
      escapeControlCharactersIn({
        login: 'a\u202eb',
        sessions: [{ client: 'x\u001by', address: null, count: 2, live: true }],
        ['k\u0085']: 'v',
      }),
      {
        login: 'a\\u202eb',
        sessions: [{ client: 'x\\x1by', address: null, count: 2, live: true }],
        ['k\\u0085']: 'v',
      },
    );
    assert.equal(escapeControlCharactersIn(7), 7);
  });
});

describe('escapeJsonLine', () => {
  it('writes what JSON.stringify leaves as JSON escapes, so the line reads back to the same value', () => {
    const value = { login: 'a\u202eb\u0085c\u007fd\u2028', plain: 'Firefox on Linux', c0: '\u001b' };
    const line = escapeJsonLine(JSON.stringify(value));
    assert.ok(isPrintable(line), line);
    assert.deepEqual(JSON.parse(line), value);
    assert.equal(escapeJsonLine('{"a":"b"}'), '{"a":"b"}');
  });
});

describe('isPrintableName', () => {
  it('takes 1 to 64 printable characters, emoji with joiners included', () => {
    for (const name of ['a', 'Laptop ✓', 'é'.repeat(64), 'family 👩\u200d👩\u200d👧'])
      assert.equal(isPrintableName(name), true, JSON.stringify(name));
  });
  it('refuses empty, blank, too long, controls, bidi and zero-width characters, and line separators', () => {
    for (const name of [
      '',
      '   ',
      'x'.repeat(65),
      'tab\there',
      'bidi\u202e',
      'zero\u200bwidth',
      'line\u2028break',
      'al\ud800one',
    ])
      assert.equal(isPrintableName(name), false, JSON.stringify(name));
  });
});
