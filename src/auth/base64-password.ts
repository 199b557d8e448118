const BASE64 = /^[A-Za-z0-9+/]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes the Birdhouse `pwd` field: standard Base64 (padding optional) of UTF-8 text. Returns
 * null for anything that does not decode cleanly: characters outside the alphabet, URL-safe
 * characters, wrong padding, stray bits in the last character, or bytes that are not UTF-8.
 */
export function decodeBase64Password(value: string): string | null {
  const unpadded = value.replace(/={1,2}$/, '');
  if (!BASE64.test(unpadded) || unpadded.length % 4 === 1) return null;
  if (unpadded !== value && value.length % 4 !== 0) return null;
  const bytes = Buffer.from(unpadded, 'base64');
  // Re-encoding must give back the input: this rejects non-zero padding bits ("QR" for "A").
  if (bytes.toString('base64').replace(/=+$/, '') !== unpadded) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}
