import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { after, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import type { AppConfig } from '../config/config';
import { costOf, hashPassword, SCHEME_PREFIX, verifyPassword } from './password-hash';
import { HASH_THREAD_NICE, PasswordHasher } from './password-hasher';

/** "bcrypt-sha256$" + a standard bcrypt hash: "$2b$", two-digit cost, 22 + 31 characters. */
const SHAPE = /^bcrypt-sha256\$\$2b\$(\d\d)\$[./A-Za-z0-9]{53}$/;

describe('hashPassword / verifyPassword', () => {
  it('stores the named scheme with the cost in the bcrypt part', () => {
    const stored = hashPassword('secret1', 4);
    assert.equal(SCHEME_PREFIX, 'bcrypt-sha256$');
    assert.match(stored, SHAPE);
    assert.equal(SHAPE.exec(stored)?.[1], '04');
    assert.equal(SHAPE.exec(hashPassword('secret1', 5))?.[1], '05');
  });

  it('verifies the right password and refuses wrong ones', () => {
    const stored = hashPassword('correct horse', 4);
    assert.equal(verifyPassword('correct horse', stored), true);
    for (const wrong of ['correct hors', 'correct horse ', 'Correct horse', '', 'correct\u0000horse']) {
      assert.equal(verifyPassword(wrong, stored), false, JSON.stringify(wrong));
    }
  });

  it('salts every hash', () => {
    const a = hashPassword('same', 4);
    const b = hashPassword('same', 4);
    assert.notEqual(a, b);
    assert.equal(verifyPassword('same', a), true);
    assert.equal(verifyPassword('same', b), true);
  });

  it('keeps every byte significant beyond bcrypt’s 72', () => {
    const prefix = 'p'.repeat(80);
    assert.ok(bcrypt.truncates(prefix), 'the prefix alone is past bcrypt’s limit');
    const stored = hashPassword(`${prefix}A`, 4);
    assert.equal(verifyPassword(`${prefix}A`, stored), true);
    assert.equal(verifyPassword(`${prefix}B`, stored), false);
    assert.equal(verifyPassword(prefix, stored), false);
    assert.equal(verifyPassword(`${prefix}AA`, stored), false);
    // Multi-byte text: 40 two-byte characters are 80 bytes.
    const polish = 'ż'.repeat(40);
    const storedPolish = hashPassword(`${polish}ą`, 4);
    assert.equal(verifyPassword(`${polish}ą`, storedPolish), true);
    assert.equal(verifyPassword(`${polish}a`, storedPolish), false);
    // The longest password the policy allows.
    const longest = 'x'.repeat(1023);
    const storedLongest = hashPassword(`${longest}1`, 4);
    assert.equal(verifyPassword(`${longest}1`, storedLongest), true);
    assert.equal(verifyPassword(`${longest}2`, storedLongest), false);
  });

  it('does not hand the plain password to bcrypt', () => {
    const stored = hashPassword('secret1', 4);
    assert.equal(bcrypt.compareSync('secret1', stored.slice(SCHEME_PREFIX.length)), false);
  });

  it('refuses a stored value that is not of its scheme', () => {
    const plainBcrypt = bcrypt.hashSync('secret1', 4);
    assert.equal(verifyPassword('secret1', plainBcrypt), false);
    assert.equal(verifyPassword('secret1', ''), false);
    assert.equal(verifyPassword('secret1', 'secret1'), false);
  });
});

describe('costOf', () => {
  it('reads the cost back from a stored hash', () => {
    assert.equal(costOf(hashPassword('secret1', 4)), 4);
    assert.equal(costOf(hashPassword('secret1', 6)), 6);
  });

  it('is 0 for anything that is not one of its hashes', () => {
    assert.equal(costOf(bcrypt.hashSync('secret1', 4)), 0);
    assert.equal(costOf(''), 0);
    assert.equal(costOf(SCHEME_PREFIX), 0);
    assert.equal(costOf(`${SCHEME_PREFIX}garbage`), 0);
    assert.equal(costOf(`${SCHEME_PREFIX}$2b$xx$abc`), 0);
    assert.equal(costOf(`${SCHEME_PREFIX}$2b$05`), 0);
    const whole = hashPassword('secret1', 4);
    assert.equal(costOf(whole.slice(0, -1)), 0);
    assert.equal(costOf(`${whole}x`), 0);
  });
});

describe('PasswordHasher (worker pool)', () => {
  const hasher = new PasswordHasher({ bcryptCost: 5 } as AppConfig);
  hasher.onModuleInit();
  after(() => hasher.onApplicationShutdown());

  it('hashes at the configured cost off the main thread and verifies', async () => {
    const stored = await hasher.hash('secret1');
    assert.equal(costOf(stored), 5);
    assert.equal(await hasher.verify('secret1', stored), true);
    assert.equal(await hasher.verify('secret2', stored), false);
  });

  it('asks for a rehash only when the stored cost is below the configured one', () => {
    assert.equal(hasher.needsRehash(hashPassword('secret1', 4)), true);
    assert.equal(hasher.needsRehash(hashPassword('secret1', 5)), false);
    assert.equal(hasher.needsRehash(hashPassword('secret1', 6)), false);
    assert.equal(hasher.needsRehash('not a hash'), true);
    assert.equal(hasher.needsRehash(`${SCHEME_PREFIX}damaged`), true);
  });

  it('spends a verification on the decoy and always answers false', async () => {
    assert.equal(await hasher.verifyDecoy('anything'), false);
  });

  it(
    'runs every hashing thread HASH_THREAD_NICE below the main thread',
    { skip: existsSync('/proc/self/task') ? false : 'thread priorities are read from /proc (Linux only)' },
    async () => {
      await Promise.all([hasher.hash('secret1'), hasher.hash('secret2')]);
      const main = niceOf(process.pid);
      // Each thread lowers itself as it starts: wait (bounded) for all of them.
      let lowered = 0;
      for (let tries = 0; tries < 50 && lowered < availableParallelism(); tries++) {
        lowered = readdirSync('/proc/self/task').filter(
          (tid) => niceOf(Number(tid)) === main + HASH_THREAD_NICE,
        ).length;
        if (lowered < availableParallelism()) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(lowered, availableParallelism());
    },
  );
});

/** A thread's nice value: field 19 of /proc/self/task/<tid>/stat, the 17th after the command's ')'. */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}
