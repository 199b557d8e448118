import { ConfigError } from '../config/config';
import { configNamespace, type Setting } from '../config/config-namespace';

/** The Base64 of exactly 32 bytes (padding optional), or null when it is not one. */
export function decodeKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === 32 ? key : null;
}

/** SECRETS_KEY: checked at start, and never echoed in the message that refuses it. */
const key: Setting<Buffer | null> = {
  defaultText: '',
  parse: (name, raw) => {
    if (raw === '') return null;
    const decoded = decodeKey(raw);
    if (!decoded)
      throw new ConfigError(`${name} must be the Base64 of exactly 32 bytes (e.g. openssl rand -base64 32)`);
    return decoded;
  },
};

const path: Setting<string> = {
  defaultText: 'data/secrets.key',
  parse: (name, raw) => {
    if (raw.includes('\u0000')) throw new ConfigError(`${name} must be a file path`);
    return raw;
  },
};

/**
 * The key that encrypts stored secrets (CONTRACT section 10): `SECRETS_KEY`, else the key kept in
 * `SECRETS_KEY_FILE`, generated there on the server's first start (SecretsKey).
 */
export class SecretsConfig extends configNamespace('SECRETS', {
  SECRETS_KEY: key,
  SECRETS_KEY_FILE: path,
}) {}
