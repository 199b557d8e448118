import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from './duration';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it('reads a bare number as seconds', () => {
    assert.equal(parseDuration('1'), SECOND);
    assert.equal(parseDuration('3600'), HOUR);
    assert.equal(parseDuration('2592000'), 30 * DAY);
  });

  it('reads the units s, m, h and d', () => {
    assert.equal(parseDuration('90s'), 90 * SECOND);
    assert.equal(parseDuration('15m'), 15 * MINUTE);
    assert.equal(parseDuration('12h'), 12 * HOUR);
    assert.equal(parseDuration('30d'), 30 * DAY);
  });

  it('accepts decimals, rounded to the millisecond', () => {
    assert.equal(parseDuration('1.5h'), 90 * MINUTE);
    assert.equal(parseDuration('0.2s'), 200);
    assert.equal(parseDuration('0.5'), 500);
    assert.equal(parseDuration('2.25d'), 54 * HOUR);
    assert.equal(parseDuration('0.0015s'), 2);
  });

  it('ignores surrounding whitespace', () => {
    assert.equal(parseDuration(' 10s '), 10 * SECOND);
    assert.equal(parseDuration('\t5m\n'), 5 * MINUTE);
  });

  it('refuses garbage, other units and other number forms', () => {
    for (const text of [
      'abc',
      's',
      '10x',
      '10ms',
      '10 s',
      '1e3',
      '1e3s',
      '.5s',
      '1.',
      '1.s',
      '0x10',
      '1,5h',
      '1_000',
      '10sec',
      'Infinity',
      'NaN',
      '5m30s',
      '+5s',
    ]) {
      assert.equal(parseDuration(text), null, JSON.stringify(text));
    }
  });

  it('refuses negative, zero and empty values', () => {
    for (const text of ['-5', '-5s', '-0.5h', '0', '0s', '0.0d', '0.0001s', '', '   ']) {
      assert.equal(parseDuration(text), null, JSON.stringify(text));
    }
  });

  it('accepts up to ten years and refuses more, or a number too large to represent', () => {
    assert.equal(parseDuration('3650d'), 3650 * DAY);
    assert.equal(parseDuration('3651d'), null);
    assert.equal(parseDuration('9'.repeat(400)), null);
    assert.equal(parseDuration(`${'9'.repeat(400)}s`), null);
  });
});
