import assert from 'node:assert/strict';
import { JSON_TYPE, json, type RawRequest } from './fuzz';

// The cases and body builders of the refusal suites (bad-input.ts re-exports them).

/** One request that must be refused, and how. */
export interface Case {
  name: string;
  request: RawRequest;
  status: number;
}

export type Body = Record<string, unknown>;

export interface PostEndpoint {
  path: string;
  fields: string[];
  /** A body that would succeed, and change a row, if the server ignored what is wrong with a case. */
  valid(): Body;
  /** Headers that get the request past the guard. */
  auth(): Record<string, string>;
  /** Registration: a new identifier is checked against the rules. */
  creates: boolean;
  /** Where the identifier goes, for the endpoints that take one. */
  identifier?: string;
  /**
   * A password checked against an account's (sign-in, or a signed-in caller's confirmation):
   * a wrong one is `wrongStatus` (401 by default), never 400, however short.
   */
  password?: { field: string; encode(password: string): string; wrongStatus?: number };
  /** Fields that name an id: any string is accepted, one that names nothing is 404 (CONTRACT section 21). */
  ids?: string[];
  /** A new password, checked against the rules (length, bytes, the common-password list). */
  newPassword?: { field: string; encode(password: string): string };
}

export const jsonCase = (
  name: string,
  body: string | Buffer,
  status = 400,
  headers: Record<string, string> = JSON_TYPE,
): Case => ({
  name,
  request: { body, headers },
  status,
});

export const nested = (open: string, inner: string, close: string, depth: number) =>
  open.repeat(depth) + inner + close.repeat(depth);

/** Exactly `bytes` bytes of JSON: the body plus a padding field. */
export function sizedBody(body: Body, bytes: number): string {
  const base = json({ ...body, pad: '' });
  const text = json({ ...body, pad: 'x'.repeat(bytes - Buffer.byteLength(base)) });
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

/** The body as JSON text with `field` set to a raw JSON text. */
export function withRaw(body: Body, field: string, raw: string): string {
  const text = json({ ...body, [field]: '\u0000hole' });
  return text.replace('"\\u0000hole"', raw);
}

export function multipart(body: Body): { body: string; type: string } {
  const boundary = '----gatehouse-boundary';
  const parts = Object.entries(body).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${String(value)}\r\n`,
  );
  return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

/** Identifiers that break a rule of CONTRACT section 1. */
export const BAD_IDENTIFIERS: Array<[string, string]> = [
  ['empty', ''],
  ['leading space', ' alice'],
  ['inner space', 'al ice'],
  ['trailing space', 'alice '],
  ['tab', 'al\tice'],
  ['newline', 'alice\n'],
  ['no-break space', 'al\u00a0ice'],
  ['ideographic space', 'al\u3000ice'],
  ['line separator', 'al\u2028ice'],
  ['zero-width space', 'al\u200bice'],
  ['direction override', '\u202ealice'],
  ['control character', 'al\u0001ice'],
  ['DEL', 'alice\u007f'],
  ['C1 control', 'al\u0085ice'],
  ['NUL inside', 'al\u0000ice'],
  ['NUL alone', '\u0000'],
  ['lone surrogate', 'al\ud800ice'],
  ['65 characters', 'a'.repeat(65)],
  ['65 characters after NFKC', 'a'.repeat(63) + '\ufb03'], // U+FB03 "ffi" ligature becomes three letters
];

/** Base64 that does not decode cleanly to UTF-8 text of six characters or more. */
export const BAD_PWDS: Array<[string, string]> = [
  ['characters outside the alphabet', '!!!!!!!!'],
  ['a space inside', 'c2Vj cmV0MTI='],
  ['a trailing newline', 'c2VjcmV0MTI=\n'],
  ['URL-safe alphabet', 'c2VjcmV0M_I='],
  ['too much padding', 'c2VjcmV0MTI=='],
  ['padding in the middle', 'c2Vj=cmV0MTI='],
  ['non-zero padding bits', 'c2VjcmV0MTJ='],
  ['a length of 4n+1', 'c2VjcmV0MTIzN'],
  ['bytes that are not UTF-8 (0xff)', Buffer.from([0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0xff]).toString('base64')],
  ['a truncated UTF-8 sequence', Buffer.from([0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0xc3]).toString('base64')],
  ['an overlong UTF-8 encoding', Buffer.from([0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0xc0, 0xaf]).toString('base64')],
  ['an encoded surrogate', Buffer.from([0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0xed, 0xa0, 0x80]).toString('base64')],
];
