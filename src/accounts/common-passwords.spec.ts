import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dictionary } from '@zxcvbn-ts/language-common';
import { COMMON_PASSWORD_COUNT, isCommonPassword } from './common-passwords';

describe('isCommonPassword', () => {
  const list = dictionary['passwords-common'];

  it('knows the first 10,000 entries of the list, and not the ones after', () => {
    assert.ok(list.length > COMMON_PASSWORD_COUNT);
    assert.equal(isCommonPassword(list[0]), true);
    assert.equal(isCommonPassword(list[COMMON_PASSWORD_COUNT - 1]), true);
    const after = list
      .slice(COMMON_PASSWORD_COUNT)
      .find((p) => !list.slice(0, COMMON_PASSWORD_COUNT).some((q) => q.toLowerCase() === p.toLowerCase()));
    assert.ok(after !== undefined);
    assert.equal(isCommonPassword(after), false, after);
  });

  it('compares case-insensitively and after NFKC', () => {
    assert.equal(isCommonPassword('PASSWORD'), true);
    assert.equal(isCommonPassword('PassWord'), true);
    // Fullwidth letters and digits fold to ASCII under NFKC.
    assert.equal(isCommonPassword('ｐａｓｓｗｏｒｄ'), true);
    assert.equal(isCommonPassword('１２３４５６'), true);
  });

  it('lets an uncommon password through', () => {
    assert.equal(isCommonPassword('correct horse battery staple 7'), false);
    assert.equal(isCommonPassword('password '), false);
  });
});
