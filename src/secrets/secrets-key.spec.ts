import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../config/config';
import { parseNamespaces } from '../config/config-namespace';
import { loadSecretsKey, SecretsKey } from './secrets-key';
import { SecretsConfig } from './secrets.config';

const KEY = Buffer.alloc(32, 1).toString('base64');
const onDisk = { database: { type: 'sqlite' as const, path: 'data/x.sqlite' } };
const secrets = (env: Record<string, string>) =>
  parseNamespaces(env, [SecretsConfig]).get(SecretsConfig) as SecretsConfig;

describe('the secrets key', () => {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-secrets-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('derives one sub-key per purpose, the same for the same key', () => {
    const key = new SecretsKey(Buffer.alloc(32, 1));
    assert.equal(key.derive('totp-secrets').length, 32);
    assert.notDeepEqual(key.derive('totp-secrets'), key.derive('backup-codes'));
    assert.deepEqual(new SecretsKey(Buffer.alloc(32, 1)).derive('backup-codes'), key.derive('backup-codes'));
    assert.notDeepEqual(new SecretsKey(Buffer.alloc(32, 2)).derive('backup-codes'), key.derive('backup-codes'));
  });

  it('takes SECRETS_KEY as Base64 of exactly 32 bytes, and never echoes a refused one', () => {
    assert.deepEqual(secrets({ SECRETS_KEY: KEY }).SECRETS_KEY, Buffer.alloc(32, 1));
    assert.deepEqual(secrets({ SECRETS_KEY: KEY.replace(/=$/, '') }).SECRETS_KEY, Buffer.alloc(32, 1));
    for (const bad of [
      'hunter2',
      Buffer.alloc(31).toString('base64'),
      Buffer.alloc(33).toString('base64'),
      `${KEY}x`,
    ]) {
      assert.throws(
        () => secrets({ SECRETS_KEY: bad }),
        (error: Error) => error instanceof ConfigError && !error.message.includes(bad),
      );
    }
  });

  it('generates a key file once (0600 in a 0700 folder) and reads it back; refuses a file without a key', () => {
    const file = join(root, 'new', 'secrets.key');
    const first = loadSecretsKey(secrets({ SECRETS_KEY_FILE: file }), onDisk);
    assert.equal((statSync(file).mode & 0o777).toString(8), '600');
    assert.equal((statSync(join(root, 'new')).mode & 0o777).toString(8), '700');
    const again = loadSecretsKey(secrets({ SECRETS_KEY_FILE: file }), onDisk);
    assert.deepEqual(again.derive('x'), first.derive('x'));
    assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);

    const broken = join(root, 'broken.key');
    writeFileSync(broken, 'not a key\n');
    assert.throws(() => loadSecretsKey(secrets({ SECRETS_KEY_FILE: broken }), onDisk), /does not hold/);
  });

  it('writes no file for an in-memory database, and prefers SECRETS_KEY to any file', () => {
    const file = join(root, 'memory', 'secrets.key');
    loadSecretsKey(secrets({ SECRETS_KEY_FILE: file }), { database: { type: 'sqlite', path: ':memory:' } });
    assert.throws(() => statSync(file));
    const given = loadSecretsKey(secrets({ SECRETS_KEY: KEY, SECRETS_KEY_FILE: file }), onDisk);
    assert.deepEqual(given.derive('x'), new SecretsKey(Buffer.alloc(32, 1)).derive('x'));
    assert.throws(() => statSync(file));
  });
});
