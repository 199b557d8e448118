import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AppConfig } from '../config/config';
import { SQLITE_IN_MEMORY } from '../database/data-source-options';
import { createPrivateFile, createPrivateFolder } from '../database/private-files';
import { decodeKey, type SecretsConfig } from './secrets.config';

/** What each sub-key is for: one key per use, so that no two uses ever share one. */
export type SecretsKeyPurpose = 'totp-secrets' | 'backup-codes' | (string & {});

/**
 * The key Gatehouse encrypts and keys its stored secrets with (SECRETS_KEY). Nothing uses it
 * directly: each use takes a sub-key of its own, derived with HKDF-SHA256 (`derive`), e.g.
 * `derive('totp-secrets')` for AES-256-GCM of authenticator secrets and `derive('backup-codes')`
 * for the HMAC of backup codes.
 */
export class SecretsKey {
  private readonly derived = new Map<string, Buffer>();

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('a secrets key is 32 bytes');
  }

  /** A 32-byte sub-key for `purpose`; the same key and purpose always give the same sub-key. */
  derive(purpose: SecretsKeyPurpose): Buffer {
    let sub = this.derived.get(purpose);
    if (!sub) {
      sub = Buffer.from(hkdfSync('sha256', this.key, 'gatehouse', `gatehouse ${purpose}`, 32));
      this.derived.set(purpose, sub);
    }
    return sub;
  }
}

/** How long to wait for another process that created the key file to write it. */
const WRITE_WAIT_MS = 2000;

/**
 * The server's key: SECRETS_KEY when set; otherwise the one in SECRETS_KEY_FILE, generated there
 * (folder 0700, file 0600, whatever the umask) when the file does not exist yet, so that a
 * restart, and every instance given the same file, keeps decrypting what was stored. An
 * in-memory database (`sqlite::memory:`, the testing helper's) dies with the process: its key
 * is made in memory and never written. Throws with one line when the file holds no key.
 */
export function loadSecretsKey(secrets: SecretsConfig, config: Pick<AppConfig, 'database'>): SecretsKey {
  if (secrets.SECRETS_KEY) return new SecretsKey(secrets.SECRETS_KEY);
  if (config.database.type === 'sqlite' && config.database.path === SQLITE_IN_MEMORY)
    return new SecretsKey(randomBytes(32));
  const file = resolve(secrets.SECRETS_KEY_FILE);
  if (!existsSync(file)) {
    createPrivateFolder(dirname(file));
    const fresh = randomBytes(32);
    // Exclusive: of two instances starting at once on one file, one writes and both read it.
    if (createPrivateFile(file, `${fresh.toString('base64')}\n`)) return new SecretsKey(fresh);
  }
  return new SecretsKey(readKeyFile(file));
}

function readKeyFile(file: string): Buffer {
  const deadline = Date.now() + WRITE_WAIT_MS;
  for (;;) {
    const text = readFileSync(file, 'utf8');
    const key = decodeKey(text);
    if (key) return key;
    // Created a moment ago by another process that has not written it yet.
    if (text !== '' || Date.now() > deadline)
      throw new Error(`SECRETS_KEY_FILE ${file} does not hold the Base64 of a 32-byte key`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}
