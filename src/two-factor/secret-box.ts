import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored secret that the key at hand cannot open: another key, or a changed value. */
export class SecretUnreadable extends Error {
  constructor() {
    super('a stored secret does not decrypt under SECRETS_KEY');
    this.name = 'SecretUnreadable';
  }
}

/**
 * Authenticator secrets as the database keeps them: AES-256-GCM under a key derived from
 * SECRETS_KEY, a fresh 96-bit IV each time, and the account id as associated data, so that a
 * ciphertext copied onto another account's row does not open. Stored as `v1.` + Base64 of
 * IV | tag | ciphertext.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {}

  seal(accountId: number, plain: Buffer): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(associatedData(accountId));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return VERSION + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  }

  /** The secret; throws SecretUnreadable when it does not open under this key. */
  open(accountId: number, stored: string): Buffer {
    if (!stored.startsWith(VERSION)) throw new SecretUnreadable();
    const bytes = Buffer.from(stored.slice(VERSION.length), 'base64');
    if (bytes.length <= IV_BYTES + TAG_BYTES) throw new SecretUnreadable();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(associatedData(accountId));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SecretUnreadable();
    }
  }
}

const associatedData = (accountId: number): Buffer => Buffer.from(`gatehouse totp secret of account ${accountId}`);
