import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPrivateFile, createPrivateFolder } from './private-files';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('private files', () => {
  let root: string;
  let umask: number;
  before(() => {
    // The most permissive umask: whatever is private below is so because the code made it so.
    umask = process.umask(0);
    root = mkdtempSync(join(tmpdir(), 'gatehouse-private-'));
  });
  after(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it('creates every missing folder 0700 and leaves existing ones alone', () => {
    const shared = join(root, 'shared');
    createPrivateFolder(shared);
    chmodSync(shared, 0o755);
    createPrivateFolder(join(shared, 'a', 'b'));
    assert.equal(mode(shared), 0o755);
    assert.equal(mode(join(shared, 'a')), 0o700);
    assert.equal(mode(join(shared, 'a', 'b')), 0o700);
    createPrivateFolder(join(shared, 'a', 'b'));
    assert.equal(mode(join(shared, 'a', 'b')), 0o700);
  });

  it('creates a file 0600 with its contents, once, and leaves an existing one alone', () => {
    const key = join(root, 'secrets.key');
    assert.equal(createPrivateFile(key, 'first'), true);
    assert.equal(mode(key), 0o600);
    assert.equal(readFileSync(key, 'utf8'), 'first');
    assert.equal(createPrivateFile(key, 'second'), false);
    assert.equal(readFileSync(key, 'utf8'), 'first');

    const theirs = join(root, 'theirs.sqlite');
    writeFileSync(theirs, '');
    chmodSync(theirs, 0o640);
    assert.equal(createPrivateFile(theirs), false);
    assert.equal(mode(theirs), 0o640);
  });
});
