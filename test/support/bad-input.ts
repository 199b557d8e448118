import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import type { TestDatabase } from './engines';
import { assertErrorShape, JSON_TYPE, json, send, snapshot, type Snapshot } from './fuzz';
import {
  BAD_IDENTIFIERS,
  BAD_PWDS,
  type Case,
  jsonCase,
  multipart,
  nested,
  type PostEndpoint,
  sizedBody,
  withRaw,
} from './bad-input-cases';

export * from './bad-input-cases';

/** What the refusal suites need from the spec that runs them. */
export interface RefusalContext {
  url(): string;
  db(): TestDatabase;
  /** The rows as they must stay. */
  baseline(): Snapshot;
}

/**
 * Declares the suite of bad inputs every POST endpoint must refuse (CONTRACT section 6), each
 * case breaking one thing in a body that would otherwise succeed, and checks that no row changed.
 */
export function describeRefusals(endpoint: PostEndpoint, context: RefusalContext): void {
  /** Sends every case and checks status and shape; then that no row changed. */
  async function refuses(endpoint: PostEndpoint, cases: Case[]): Promise<void> {
    for (const c of cases) {
      const request = { ...c.request, headers: { ...endpoint.auth(), ...c.request.headers } };
      const reply = await send(context.url(), endpoint.path, request);
      const sent = typeof request.body === 'string' ? request.body : '';
      assertErrorShape(reply, endpoint.path, c.status, `${endpoint.path} ${c.name}`, sent);
    }
    assert.deepEqual(
      await snapshot(context.db()),
      context.baseline(),
      `${endpoint.path}: a refused request changed a row`,
    );
  }

  describe(`POST ${endpoint.path}`, () => {
    it('refuses malformed JSON with 400', async () => {
      const valid = json(endpoint.valid());
      await refuses(endpoint, [
        jsonCase('an unterminated object', '{'),
        jsonCase('a truncated body', valid.slice(0, -1)),
        jsonCase('a missing value', '{"a":}'),
        jsonCase('single quotes', valid.replaceAll('"', "'")),
        jsonCase('bare keys', valid.replace(/"(\w+)":/g, '$1:')),
        jsonCase('a trailing comma', valid.replace(/}$/, ',}')),
        jsonCase('a comment', valid.replace(/}$/, '/* c */}')),
        jsonCase('two objects', valid + valid),
        jsonCase('an object then garbage', `${valid}x`),
        jsonCase('a raw control character in a string', valid.replace(/":"/, '":"\u0001')),
        jsonCase('an invalid escape', valid.replace(/":"/, '":"\\x41')),
        jsonCase('a backslash before the closing quote', valid.replace(/"(}+)$/, '\\"$1')),
        jsonCase('NaN', '{"a":NaN}'),
        jsonCase('undefined', 'undefined'),
        jsonCase('only whitespace', '   \n'),
        jsonCase('a byte-order mark', `\ufeff${valid.replace(/}$/, ',}')}`),
        jsonCase(
          'bytes that are not UTF-8',
          Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"')]),
        ),
        jsonCase('a NUL byte', Buffer.from('{"a":\u0000}')),
      ]);
    });

    it('refuses an absent or empty body with 400', async () => {
      await refuses(endpoint, [
        { name: 'no body, no content type', request: {}, status: 400 },
        { name: 'no body, JSON content type', request: { headers: JSON_TYPE }, status: 400 },
        jsonCase('an empty body', ''),
        { name: 'an empty chunked body', request: { body: '', chunked: true, headers: JSON_TYPE }, status: 400 },
      ]);
    });

    it('refuses JSON that is not an object with 400', async () => {
      const valid = json(endpoint.valid());
      await refuses(endpoint, [
        jsonCase('an empty array', '[]'),
        jsonCase('an array holding the valid body', `[${valid}]`),
        jsonCase('a string', '"text"'),
        jsonCase('the valid body as a string', json(valid)),
        jsonCase('a number', '42'),
        jsonCase('a negative fraction', '-1.5e3'),
        jsonCase('null', 'null'),
        jsonCase('true', 'true'),
        jsonCase('false', 'false'),
      ]);
    });

    it('refuses a missing field with 400', async () => {
      const cases = [jsonCase('an empty object', '{}')];
      for (const field of endpoint.fields) {
        const body = endpoint.valid();
        delete body[field];
        cases.push(jsonCase(`no ${field}`, json(body)));
      }
      await refuses(endpoint, cases);
    });

    it('refuses each field as a number, array, object, null, boolean or empty string with 400', async () => {
      const wrong: Array<[string, unknown]> = [
        ['zero', 0],
        ['a number', 123456],
        ['a fraction', -1.5],
        ['a huge number', 1e308],
        ['an empty array', []],
        ['an array of the right type', ['text-value']],
        ['an empty object', {}],
        ['an object', { value: 'text-value' }],
        ['null', null],
        ['true', true],
        ['false', false],
      ];
      const cases: Case[] = [];
      for (const field of endpoint.fields) {
        for (const [name, value] of wrong)
          cases.push(jsonCase(`${field} as ${name}`, json({ ...endpoint.valid(), [field]: value })));
        const emptyRefused = field !== endpoint.password?.field;
        // An id field takes any string: an empty one names nothing (404, CONTRACT section 21).
        const emptyStatus = endpoint.ids?.includes(field) ? 404 : 400;
        if (emptyRefused)
          cases.push(jsonCase(`${field} as an empty string`, json({ ...endpoint.valid(), [field]: '' }), emptyStatus));
      }
      await refuses(endpoint, cases);
    });

    it('refuses unknown extra fields with 400', async () => {
      await refuses(endpoint, [
        jsonCase('an extra string', json({ ...endpoint.valid(), extra: 'x' })),
        jsonCase('an extra null', json({ ...endpoint.valid(), extra: null })),
        jsonCase('an extra object', json({ ...endpoint.valid(), extra: { a: 1 } })),
        jsonCase(
          'a field name in another case',
          json({ ...endpoint.valid(), [endpoint.fields[0].toUpperCase()]: 'x' }),
        ),
        jsonCase('__proto__', json(endpoint.valid()).replace(/^{/, '{"__proto__":{"admin":true},')),
        jsonCase('constructor', json(endpoint.valid()).replace(/^{/, '{"constructor":{"prototype":{"admin":true}},')),
        jsonCase('prototype', json({ ...endpoint.valid(), prototype: {} })),
      ]);
    });

    it('refuses a body that is not JSON with 415, whatever its content type says', async () => {
      const valid = endpoint.valid();
      const form = new URLSearchParams(valid as Record<string, string>).toString();
      const parts = multipart(valid);
      await refuses(endpoint, [
        jsonCase('text/plain', json(valid), 415, { 'content-type': 'text/plain' }),
        jsonCase('text/plain with a charset', json(valid), 415, { 'content-type': 'text/plain; charset=utf-8' }),
        jsonCase('a form', form, 415, { 'content-type': 'application/x-www-form-urlencoded' }),
        jsonCase('multipart', parts.body, 415, { 'content-type': parts.type }),
        jsonCase('no content type', json(valid), 415, {}),
        jsonCase('application/xml', '<a/>', 415, { 'content-type': 'application/xml' }),
        jsonCase('an octet stream', json(valid), 415, { 'content-type': 'application/octet-stream' }),
        jsonCase('a malformed content type', json(valid), 415, { 'content-type': 'json' }),
        jsonCase('JSON in Latin-1', json(valid), 415, { 'content-type': 'application/json; charset=latin1' }),
        jsonCase('JSON in UTF-16', Buffer.from(json(valid), 'utf16le'), 415, {
          'content-type': 'application/json; charset=utf-16',
        }),
      ]);
    });

    it('refuses a body over 64 KiB with 413, and takes one of exactly 64 KiB to validation', async () => {
      const big = sizedBody(endpoint.valid(), 64 * 1024 + 1);
      await refuses(endpoint, [
        jsonCase('64 KiB + 1 byte', big, 413),
        { name: '64 KiB + 1 byte, chunked', request: { body: big, chunked: true, headers: JSON_TYPE }, status: 413 },
        jsonCase('1 MiB', sizedBody(endpoint.valid(), 1024 * 1024), 413),
        {
          name: '1 MiB, chunked',
          request: { body: sizedBody(endpoint.valid(), 1024 * 1024), chunked: true, headers: JSON_TYPE },
          status: 413,
        },
        jsonCase('1 MiB that is not even JSON', 'x'.repeat(1024 * 1024), 413),
        // Exactly at the limit the parser runs, and the unknown `pad` field is refused.
        jsonCase('exactly 64 KiB', sizedBody(endpoint.valid(), 64 * 1024), 400),
        // The limit applies to the decoded body: a small compressed upload cannot inflate past it.
        jsonCase('2 MiB deflated to a few KiB', deflateSync(sizedBody(endpoint.valid(), 2 * 1024 * 1024)), 413, {
          ...JSON_TYPE,
          'content-encoding': 'deflate',
        }),
      ]);
    });

    it('refuses a body whose Content-Encoding does not match it with 400, and reads one that does', async () => {
      const valid = json(endpoint.valid());
      await refuses(endpoint, [
        jsonCase('plain JSON labelled gzip', valid, 400, { ...JSON_TYPE, 'content-encoding': 'gzip' }),
        jsonCase('plain JSON labelled br', valid, 400, { ...JSON_TYPE, 'content-encoding': 'br' }),
        jsonCase('an unknown encoding', valid, 415, { ...JSON_TYPE, 'content-encoding': 'x-unknown' }),
        // A correctly compressed body is read, so what decides is the defect inside it.
        jsonCase('gzip of an extra field', gzipSync(json({ ...endpoint.valid(), extra: 1 })), 400, {
          ...JSON_TYPE,
          'content-encoding': 'gzip',
        }),
      ]);
    });

    it('refuses deeply nested JSON under 64 KiB with 400', async () => {
      const field = endpoint.fields[0];
      await refuses(endpoint, [
        jsonCase('30,000 nested arrays', nested('[', '', ']', 30_000)),
        jsonCase('10,000 nested objects', nested('{"a":', '1', '}', 10_000)),
        jsonCase(`${field} as 25,000 nested arrays`, withRaw(endpoint.valid(), field, nested('[', '"x"', ']', 25_000))),
        jsonCase(
          `${field} as 9,000 nested objects`,
          withRaw(endpoint.valid(), field, nested('{"a":', '"x"', '}', 9_000)),
        ),
        jsonCase(`${field} as 9 nested objects`, withRaw(endpoint.valid(), field, nested('{"a":', '"x"', '}', 9))),
        jsonCase(
          'an extra field of 8,000 nested arrays',
          withRaw(endpoint.valid(), 'extra', nested('[', '', ']', 8_000)),
        ),
      ]);
    });

    if (endpoint.identifier) {
      const identifier = endpoint.identifier;
      it(`refuses a ${identifier} with whitespace, controls, NUL, a lone surrogate or over 64 characters with 400`, async () => {
        await refuses(
          endpoint,
          BAD_IDENTIFIERS.map(([name, value]) => jsonCase(name, json({ ...endpoint.valid(), [identifier]: value }))),
        );
      });
    }

    for (const password of [endpoint.password, endpoint.newPassword]) {
      if (!password) continue;
      it(`refuses a ${password.field} over 1024 bytes or with a lone surrogate with 400`, async () => {
        const cases = [
          jsonCase('1025 bytes', json({ ...endpoint.valid(), [password.field]: password.encode('p'.repeat(1025)) })),
          jsonCase(
            '1026 bytes in 513 characters',
            json({ ...endpoint.valid(), [password.field]: password.encode('é'.repeat(513)) }),
          ),
        ];
        if (password.field === 'password') {
          cases.push(jsonCase('a lone surrogate', json({ ...endpoint.valid(), password: 'secret\udc00pass' })));
        }
        await refuses(endpoint, cases);
      });

      if (password.field === 'pwd' || password.field === 'newPwd') {
        it(`refuses a ${password.field} that is not clean Base64 of UTF-8 with 400`, async () => {
          await refuses(
            endpoint,
            BAD_PWDS.map(([name, value]) => jsonCase(name, json({ ...endpoint.valid(), [password.field]: value }))),
          );
        });
      }
    }

    const { password, newPassword } = endpoint;
    if (newPassword) {
      it('refuses a new password under 6 characters, or one of the 10,000 most common, with 400', async () => {
        const refused = [
          '',
          'a',
          '12345',
          'ééééé',
          '😀😀😀😀😀',
          'abcd\u0301',
          'password',
          'PassWord',
          'qwerty123',
          'ｉｌｏｖｅｙｏｕ',
        ];
        await refuses(
          endpoint,
          refused.map((p) =>
            jsonCase(JSON.stringify(p), json({ ...endpoint.valid(), [newPassword.field]: newPassword.encode(p) })),
          ),
        );
      });
    }

    if (password) {
      const wrong = password.wrongStatus ?? 401;
      it(`answers ${wrong}, not 400, to a password too short or too common for a new one: the rules are for new passwords`, async () => {
        // PASSWORD_MIN_LENGTH may have been raised, or the list grown, since an account chose its password.
        await refuses(
          endpoint,
          ['', 'a', '12345', 'password'].map((p) =>
            jsonCase(
              `${p.length} characters`,
              json({ ...endpoint.valid(), [password.field]: password.encode(p) }),
              wrong,
            ),
          ),
        );
      });
    }

    if (endpoint.fields.includes('token')) {
      it('refuses a token over 1024 characters with 400', async () => {
        await refuses(endpoint, [jsonCase('a token over 1024 characters', json({ token: 'A'.repeat(1025) }))]);
      });
    }
  });
}
