import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkIdentifier, IDENTIFIER_MAX_LENGTH, identifierKey } from './identifier';

function accepted(text: string) {
  const check = checkIdentifier(text);
  assert.ok(check.ok, `${JSON.stringify(text)} was refused: ${check.ok ? '' : check.reason}`);
  return check.value;
}

function refused(text: string): string {
  const check = checkIdentifier(text);
  assert.equal(check.ok, false, `${JSON.stringify(text)} was accepted`);
  return check.ok ? '' : check.reason;
}

describe('checkIdentifier', () => {
  it('keeps the display form as typed and derives the key', () => {
    assert.deepEqual(accepted('Alice'), { display: 'Alice', key: 'alice' });
    assert.deepEqual(accepted('Ａｌｉｃｅ'), { display: 'Ａｌｉｃｅ', key: 'alice' });
    assert.deepEqual(accepted('Zoe\u0308'), { display: 'Zoe\u0308', key: 'zoë' });
  });

  it('counts 1 to 64 code points after NFKC, not UTF-16 units or bytes', () => {
    assert.equal(IDENTIFIER_MAX_LENGTH, 64);
    accepted('a');
    accepted('a'.repeat(64));
    accepted('😀'.repeat(64)); // 128 UTF-16 units, 256 bytes
    accepted('ż'.repeat(64));
    // 64 letters each followed by a combining accent compose to 64 code points.
    accepted('a\u0301'.repeat(64));
    assert.match(refused(''), /1 to 64/);
    assert.match(refused('a'.repeat(65)), /1 to 64/);
    assert.match(refused('😀'.repeat(65)), /1 to 64/);
    // NFKC expands the ligature ﬃ to three letters: 22 of them are 66 code points.
    assert.match(refused('ﬃ'.repeat(22)), /1 to 64/);
  });

  it('refuses whitespace of every kind', () => {
    for (const text of [
      'has space',
      ' lead',
      'trail ',
      'tab\there',
      'new\nline',
      'cr\rx',
      'nbsp\u00a0x',
      'ideo\u3000x',
      'line\u2028sep',
      'en\u2002space',
      'ogham\u1680x',
    ]) {
      assert.match(refused(text), /whitespace or control/, JSON.stringify(text));
    }
  });

  it('refuses control and format characters and NUL', () => {
    for (const text of [
      'nul\u0000x',
      'bell\u0007x',
      'del\u007fx',
      'c1\u0085x',
      'zero\u200bwidth',
      'zwj\u200dx',
      'rtl\u202ex',
      'bom\ufeffx',
      'soft\u00adhyphen',
      'private\ue000x',
    ]) {
      assert.equal(checkIdentifier(text).ok, false, JSON.stringify(text));
    }
  });

  it('refuses lone surrogates', () => {
    assert.match(refused('lone\ud800'), /Unicode/);
    assert.match(refused('\udc00x'), /Unicode/);
  });
});

describe('identifierKey', () => {
  it('makes case variants one key', () => {
    assert.equal(identifierKey('Alice'), identifierKey('alice'));
    assert.equal(identifierKey('ALICE'), 'alice');
    assert.equal(identifierKey('ǅemal'), identifierKey('ǆemal'));
    assert.equal(identifierKey('ΣΊΣΥΦΟΣ'), identifierKey('σίσυφος'));
  });

  it('makes compatibility forms one key: fullwidth letters, ligatures, composed and decomposed accents', () => {
    assert.equal(identifierKey('Ａｌｉｃｅ'), identifierKey('alice'));
    assert.equal(identifierKey('ｂｏｂ１２３'), 'bob123');
    assert.equal(identifierKey('ﬁnn'), identifierKey('Finn'));
    assert.equal(identifierKey('zo\u0308e'), identifierKey('ZÖE'));
  });

  it('folds ß with SS and the long s with s', () => {
    assert.equal(identifierKey('straße'), identifierKey('STRASSE'));
    assert.equal(identifierKey('ſam'), identifierKey('Sam'));
  });

  it('keeps accents and different letters apart', () => {
    assert.notEqual(identifierKey('résumé'), identifierKey('resume'));
    assert.notEqual(identifierKey('alice'), identifierKey('alicé'));
    assert.notEqual(identifierKey('alice'), identifierKey('аlice')); // Cyrillic а
  });

  it('is idempotent and in NFKC', () => {
    for (const text of ['Straße', 'Ａｌｉｃｅ', 'Zoe\u0308', 'ǅ', 'İstanbul']) {
      const key = identifierKey(text);
      assert.equal(identifierKey(key), key, text);
      assert.equal(key.normalize('NFKC'), key, text);
    }
  });

  it('gives the key checkIdentifier stores', () => {
    for (const text of ['Alice', 'Ｂｏｂ', 'straße']) {
      const check = checkIdentifier(text);
      assert.ok(check.ok);
      assert.equal(check.value.key, identifierKey(text));
    }
  });
});
