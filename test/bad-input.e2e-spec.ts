import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateSync, gzipSync } from 'node:zlib';
import { startApp, type RunningApp } from './support/app';
import { eachEngine } from './support/engines';
import { assertErrorShape, assertHygienic, JSON_TYPE, json, rawExchange, send, snapshot, type RawRequest, type Snapshot } from './support/fuzz';
import { b64, client, uniqueLogin } from './support/http';

/** One request that must be refused, and how. */
interface Case {
  name: string;
  request: RawRequest;
  status: number;
}

type Body = Record<string, unknown>;

interface PostEndpoint {
  path: string;
  fields: string[];
  /** A body that would succeed, and change a row, if the server ignored what is wrong with a case. */
  valid(): Body;
  /** Headers that get the request past the guard. */
  auth(): Record<string, string>;
  /** Registration: a new identifier and a new password are checked against the rules. */
  creates: boolean;
  /** Where the identifier and the password go, for the endpoints that take credentials. */
  identifier?: string;
  password?: { field: string; encode(password: string): string };
}

const jsonCase = (name: string, body: string | Buffer, status = 400, headers: Record<string, string> = JSON_TYPE): Case => ({
  name,
  request: { body, headers },
  status,
});

const nested = (open: string, inner: string, close: string, depth: number) => open.repeat(depth) + inner + close.repeat(depth);

/** Exactly `bytes` bytes of JSON: the body plus a padding field. */
function sizedBody(body: Body, bytes: number): string {
  const base = json({ ...body, pad: '' });
  const text = json({ ...body, pad: 'x'.repeat(bytes - Buffer.byteLength(base)) });
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

/** The body as JSON text with `field` set to a raw JSON text. */
function withRaw(body: Body, field: string, raw: string): string {
  const text = json({ ...body, [field]: '\u0000hole' });
  return text.replace('"\\u0000hole"', raw);
}

function multipart(body: Body): { body: string; type: string } {
  const boundary = '----gatehouse-boundary';
  const parts = Object.entries(body).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${String(value)}\r\n`,
  );
  return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

/** Identifiers that break a rule of CONTRACT section 1. */
const BAD_IDENTIFIERS: Array<[string, string]> = [
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
const BAD_PWDS: Array<[string, string]> = [
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

eachEngine(__filename, (db) => {
  let running: RunningApp;
  const api = client(() => running.url);
  /** An account and two of its tokens: `owner.token` passes the guard, `victim` is what invalidate would revoke. */
  let owner: { login: string; password: string; token: string };
  let victim: string;
  let baseline: Snapshot;

  before(async () => {
    running = await startApp(db());
    owner = await api.account(uniqueLogin('Owner'), 'owner-password');
    const second = await api.post('/auth', { login: owner.login, password: owner.password });
    assert.equal(second.status, 200);
    victim = second.body.token;
    baseline = await snapshot(db());
    assert.equal(baseline.accounts.length, 1);
    assert.equal(baseline.tokens.length, 2);
  });
  after(async () => {
    await running?.close();
  });

  const none = () => ({});
  const ENDPOINTS: PostEndpoint[] = [
    {
      path: '/register',
      fields: ['login', 'password'],
      valid: () => ({ login: uniqueLogin('classic'), password: 'good-password' }),
      auth: none,
      creates: true,
      identifier: 'login',
      password: { field: 'password', encode: (p) => p },
    },
    {
      path: '/auth',
      fields: ['login', 'password'],
      valid: () => ({ login: owner.login, password: owner.password }),
      auth: none,
      creates: false,
      identifier: 'login',
      password: { field: 'password', encode: (p) => p },
    },
    {
      path: '/api/auth/register',
      fields: ['handle', 'pwd'],
      valid: () => ({ handle: uniqueLogin('bird'), pwd: b64('good-password') }),
      auth: none,
      creates: true,
      identifier: 'handle',
      password: { field: 'pwd', encode: b64 },
    },
    {
      path: '/api/auth/login',
      fields: ['handle', 'pwd'],
      valid: () => ({ handle: owner.login, pwd: b64(owner.password) }),
      auth: none,
      creates: false,
      identifier: 'handle',
      password: { field: 'pwd', encode: b64 },
    },
    {
      path: '/api/auth/invalidate',
      fields: ['token'],
      valid: () => ({ token: victim }),
      auth: () => ({ authentication: owner.token }),
      creates: false,
    },
  ];

  /** Sends every case and checks status and shape; then that no row changed. */
  async function refuses(endpoint: PostEndpoint, cases: Case[]): Promise<void> {
    for (const c of cases) {
      const request = { ...c.request, headers: { ...endpoint.auth(), ...c.request.headers } };
      const reply = await send(running.url, endpoint.path, request);
      const sent = typeof request.body === 'string' ? request.body : '';
      assertErrorShape(reply, endpoint.path, c.status, `${endpoint.path} ${c.name}`, sent);
    }
    assert.deepEqual(await snapshot(db()), baseline, `${endpoint.path}: a refused request changed a row`);
  }

  for (const endpoint of ENDPOINTS) {
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
          jsonCase('a backslash before the closing quote', valid.replace(/"}$/, '\\"}')),
          jsonCase('NaN', '{"a":NaN}'),
          jsonCase('undefined', 'undefined'),
          jsonCase('only whitespace', '   \n'),
          jsonCase('a byte-order mark', `\ufeff${valid.replace(/}$/, ',}')}`),
          jsonCase('bytes that are not UTF-8', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"')])),
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
          for (const [name, value] of wrong) cases.push(jsonCase(`${field} as ${name}`, json({ ...endpoint.valid(), [field]: value })));
          const emptyRefused = field !== endpoint.password?.field || endpoint.creates;
          if (emptyRefused) cases.push(jsonCase(`${field} as an empty string`, json({ ...endpoint.valid(), [field]: '' })));
        }
        await refuses(endpoint, cases);
      });

      it('refuses unknown extra fields with 400', async () => {
        await refuses(endpoint, [
          jsonCase('an extra string', json({ ...endpoint.valid(), extra: 'x' })),
          jsonCase('an extra null', json({ ...endpoint.valid(), extra: null })),
          jsonCase('an extra object', json({ ...endpoint.valid(), extra: { a: 1 } })),
          jsonCase('a field name in another case', json({ ...endpoint.valid(), [endpoint.fields[0].toUpperCase()]: 'x' })),
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
          jsonCase('JSON in UTF-16', Buffer.from(json(valid), 'utf16le'), 415, { 'content-type': 'application/json; charset=utf-16' }),
        ]);
      });

      it('refuses a body over 64 KiB with 413, and takes one of exactly 64 KiB to validation', async () => {
        const big = sizedBody(endpoint.valid(), 64 * 1024 + 1);
        await refuses(endpoint, [
          jsonCase('64 KiB + 1 byte', big, 413),
          { name: '64 KiB + 1 byte, chunked', request: { body: big, chunked: true, headers: JSON_TYPE }, status: 413 },
          jsonCase('1 MiB', sizedBody(endpoint.valid(), 1024 * 1024), 413),
          { name: '1 MiB, chunked', request: { body: sizedBody(endpoint.valid(), 1024 * 1024), chunked: true, headers: JSON_TYPE }, status: 413 },
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
          jsonCase('gzip of an extra field', gzipSync(json({ ...endpoint.valid(), extra: 1 })), 400, { ...JSON_TYPE, 'content-encoding': 'gzip' }),
        ]);
      });

      it('refuses deeply nested JSON under 64 KiB with 400', async () => {
        const field = endpoint.fields[0];
        await refuses(endpoint, [
          jsonCase('30,000 nested arrays', nested('[', '', ']', 30_000)),
          jsonCase('10,000 nested objects', nested('{"a":', '1', '}', 10_000)),
          jsonCase(`${field} as 25,000 nested arrays`, withRaw(endpoint.valid(), field, nested('[', '"x"', ']', 25_000))),
          jsonCase(`${field} as 9,000 nested objects`, withRaw(endpoint.valid(), field, nested('{"a":', '"x"', '}', 9_000))),
          jsonCase(`${field} as 9 nested objects`, withRaw(endpoint.valid(), field, nested('{"a":', '"x"', '}', 9))),
          jsonCase('an extra field of 8,000 nested arrays', withRaw(endpoint.valid(), 'extra', nested('[', '', ']', 8_000))),
        ]);
      });

      if (endpoint.identifier && endpoint.password) {
        const { identifier, password } = endpoint;

        it(`refuses a ${identifier} with whitespace, controls, NUL, a lone surrogate or over 64 characters with 400`, async () => {
          await refuses(
            endpoint,
            BAD_IDENTIFIERS.map(([name, value]) => jsonCase(name, json({ ...endpoint.valid(), [identifier]: value }))),
          );
        });

        it('refuses a password over 1024 bytes or with a lone surrogate with 400', async () => {
          const cases = [
            jsonCase('1025 bytes', json({ ...endpoint.valid(), [password.field]: password.encode('p'.repeat(1025)) })),
            jsonCase('1026 bytes in 513 characters', json({ ...endpoint.valid(), [password.field]: password.encode('é'.repeat(513)) })),
          ];
          if (password.field === 'password') {
            cases.push(jsonCase('a lone surrogate', json({ ...endpoint.valid(), password: 'secret\udc00pass' })));
          }
          await refuses(endpoint, cases);
        });

        if (endpoint.creates) {
          it('refuses a new password under 6 characters with 400', async () => {
            await refuses(
              endpoint,
              ['', 'a', '12345', 'ééééé', '😀😀😀😀😀', 'abcd\u0301'].map((p) =>
                jsonCase(`${[...p].length} characters`, json({ ...endpoint.valid(), [password.field]: password.encode(p) })),
              ),
            );
          });
        }

        if (!endpoint.creates) {
          it('answers 401, not 400, to a password too short for a new account: the rule is for new passwords', async () => {
            // PASSWORD_MIN_LENGTH may have been raised since an account chose its password.
            await refuses(
              endpoint,
              ['', 'a', '12345'].map((p) =>
                jsonCase(`${p.length} characters`, json({ ...endpoint.valid(), [password.field]: password.encode(p) }), 401),
              ),
            );
          });
        }

        if (password.field === 'pwd') {
          it('refuses a pwd that is not clean Base64 of UTF-8 with 400', async () => {
            await refuses(
              endpoint,
              BAD_PWDS.map(([name, value]) => jsonCase(name, json({ ...endpoint.valid(), pwd: value }))),
            );
          });
        }
      }

      if (endpoint.fields.includes('token')) {
        it('refuses a token over 1024 characters with 400', async () => {
          await refuses(endpoint, [jsonCase('a token over 1024 characters', json({ token: 'A'.repeat(1025) }))]);
        });
      }
    });
  }

  describe('POST /api/auth/invalidate without a valid caller token', () => {
    const path = '/api/auth/invalidate';

    it('answers 401 to a well-formed JSON body of the wrong shape: the guard runs before validation', async () => {
      const bodies = ['{}', '[]', json({ token: 5 }), json({ token: null }), json({ token: victim, extra: 1 }), json({ nonsense: true })];
      for (const headers of [JSON_TYPE, { ...JSON_TYPE, authentication: 'B'.repeat(43) }, { ...JSON_TYPE, authorization: 'Basic abc' }]) {
        for (const body of bodies) {
          const reply = await send(running.url, path, { body, headers });
          assertErrorShape(reply, path, 401, `${JSON.stringify(headers)} ${body}`);
        }
      }
      assert.deepEqual(await snapshot(db()), baseline);
    });

    it('answers what the body parser says when the body cannot be read at all: it runs before routing', async () => {
      const cases: Case[] = [
        jsonCase('malformed JSON', '{', 400),
        jsonCase('a JSON scalar', 'null', 400),
        jsonCase('text/plain', '{}', 415, { 'content-type': 'text/plain' }),
        jsonCase('over 64 KiB', sizedBody({}, 64 * 1024 + 1), 413),
      ];
      for (const c of cases) assertErrorShape(await send(running.url, path, c.request), path, c.status, c.name);
      assert.deepEqual(await snapshot(db()), baseline);
    });
  });

  describe('GET endpoints', () => {
    const junk: Array<[string, RawRequest]> = [
      ['malformed JSON', { body: '{', headers: JSON_TYPE }],
      ['a JSON array', { body: '[1]', headers: JSON_TYPE }],
      ['unknown fields', { body: json({ handle: 'x', admin: true }), headers: JSON_TYPE }],
      ['text/plain', { body: 'hello', headers: { 'content-type': 'text/plain' } }],
      ['a form', { body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
      ['no content type', { body: '{}' }],
      ['a body over 64 KiB', { body: 'x'.repeat(70_000), headers: JSON_TYPE }],
      ['a chunked body over 64 KiB', { body: 'x'.repeat(70_000), headers: JSON_TYPE, chunked: true }],
      ['30,000 nested arrays', { body: nested('[', '', ']', 30_000), headers: JSON_TYPE }],
    ];

    it('GET /health ignores any body: a GET carries no input (200 {"status":"ok",...})', async () => {
      for (const [name, request] of junk) {
        const reply = await send(running.url, '/health', { ...request, method: 'GET' });
        assertHygienic(reply, name);
        assert.equal(reply.status, 200, name);
        assert.deepEqual(reply.body, { status: 'ok', database: 'up', redis: 'off' }, name);
      }
    });

    it('GET /api/auth/me ignores any body and answers from the token alone', async () => {
      for (const [name, request] of junk) {
        const signedIn = await send(running.url, '/api/auth/me', {
          ...request,
          method: 'GET',
          headers: { ...request.headers, authentication: owner.token },
        });
        assertHygienic(signedIn, name);
        assert.equal(signedIn.status, 200, name);
        assert.deepEqual(Object.keys(signedIn.body).sort(), ['createdAt', 'handle', 'status'], name);
        assert.equal(signedIn.body.handle, owner.login, name);
        const anonymous = await send(running.url, '/api/auth/me', { ...request, method: 'GET' });
        assertErrorShape(anonymous, '/api/auth/me', 401, `${name}, no token`);
      }
      assert.deepEqual(await snapshot(db()), baseline);
    });

    it('GET /api/auth/me answers 401 to a token in the query string or in a malformed header', async () => {
      const path = '/api/auth/me';
      for (const query of [`?token=${owner.token}`, `?authentication=${owner.token}`, `?access_token=${owner.token}`]) {
        assertErrorShape(await send(running.url, path + query, { method: 'GET' }), path, 401, query);
      }
      const headers: Array<Record<string, string>> = [
        { authentication: `${owner.token} ${owner.token}` },
        { authentication: `Basic ${owner.token}` },
        { authentication: `Bearer` },
        { authentication: `Bearer ${owner.token} extra` },
        { authorization: owner.token },
        { authorization: `Basic ${b64(`${owner.login}:${owner.password}`)}` },
        { authentication: `${owner.token}\u00e9` },
        { authentication: owner.token.slice(0, -1) },
        { authentication: 'x'.repeat(8000) },
      ];
      for (const h of headers) {
        assertErrorShape(await send(running.url, path, { method: 'GET', headers: h }), path, 401, JSON.stringify(h).slice(0, 80));
      }
      // A present but invalid Authentication header is not overridden by a valid Authorization one.
      const both = await send(running.url, path, { method: 'GET', headers: { authentication: 'bogus', authorization: `Bearer ${owner.token}` } });
      assertErrorShape(both, path, 401, 'bogus Authentication with a valid Authorization');
    });

    it('refuses other methods and unknown paths with 404 in the dialect of the path', async () => {
      const cases: Array<[string, string]> = [
        ['POST', '/health'],
        ['POST', '/api/auth/me'],
        ['GET', '/api/auth/login'],
        ['GET', '/api/auth/nope'],
        ['GET', '/register'],
        ['PUT', '/auth'],
        ['DELETE', '/api/auth/invalidate'],
        ['GET', '/nope'],
      ];
      for (const [method, path] of cases) {
        const reply = await send(running.url, path, { method, body: method === 'GET' ? undefined : '{}', headers: JSON_TYPE });
        assertErrorShape(reply, path, 404, `${method} ${path}`);
      }
    });
  });

  describe('requests that are not valid HTTP', () => {
    const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
    const post = (...lines: string[]) => head(['POST /auth HTTP/1.1', 'Host: x', 'Content-Type: application/json', ...lines, 'Connection: close']);
    const cases: Array<[string, string | Buffer]> = [
      ['a NUL byte in a header value', head(['GET /api/auth/me HTTP/1.1', 'Host: x', 'Authentication: a\u0000b', 'Connection: close'])],
      ['a line feed inside a header name', head(['GET /health HTTP/1.1', 'Host: x', 'Authen\ntication: x', 'Connection: close'])],
      ['both Content-Length and Transfer-Encoding', `${post('Content-Length: 2', 'Transfer-Encoding: chunked')}0\r\n\r\n`],
      ['two different Content-Lengths', `${post('Content-Length: 2', 'Content-Length: 3')}{}`],
      ['a negative Content-Length', post('Content-Length: -1')],
      ['a malformed chunk size', `${post('Transfer-Encoding: chunked')}zz\r\n{}\r\n0\r\n\r\n`],
      ['headers over 16 KiB', head(['GET /api/auth/me HTTP/1.1', 'Host: x', `Authentication: ${'x'.repeat(17 * 1024)}`, 'Connection: close'])],
      ['a garbage request line', 'HELLO\r\n\r\n'],
      ['binary noise', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256))],
    ];

    it("is refused by Node's HTTP parser with 400 (431 for oversized headers) in the classic shape, and the service keeps serving", async () => {
      for (const [name, bytes] of cases) {
        const reply = await rawExchange(running.port, bytes);
        assert.ok(reply.status === 400 || reply.status === 431, `${name}: ${reply.head}`);
        assert.deepEqual(
          JSON.parse(reply.body),
          { error: reply.status === 400 ? 'Bad Request' : 'Request Header Fields Too Large', message: 'the request is not valid HTTP' },
          name,
        );
        assert.doesNotMatch(reply.body, /\n\s+at\s|node_modules/, name);
        assert.equal((await api.get('/health')).status, 200, `${name}: /health afterwards`);
      }
      assert.deepEqual(await snapshot(db()), baseline);
    });

    it('answers an Expect other than 100-continue with 417 in the dialect\'s shape', async () => {
      for (const path of ['/auth', '/api/auth/login']) {
        const reply = await rawExchange(
          running.port,
          `${head([`POST ${path} HTTP/1.1`, 'Host: x', 'Expect: x', 'Content-Type: application/json', 'Content-Length: 2', 'Connection: close'])}{}`,
        );
        assert.equal(reply.status, 417, reply.head);
        assert.match(reply.head, /content-type: application\/json/i);
        const expected = path.startsWith('/api/')
          ? { status: 'error', error: 'Expectation Failed', message: 'only Expect: 100-continue is supported' }
          : { error: 'Expectation Failed', message: 'only Expect: 100-continue is supported' };
        assert.deepEqual(JSON.parse(reply.body), expected);
      }
    });
  });

  it('after every refusal: the same rows, both tokens still valid, and the service healthy', async () => {
    assert.deepEqual(await snapshot(db()), baseline);
    for (const token of [owner.token, victim]) {
      assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);
    }
    assert.equal((await api.get('/health')).status, 200);
    // Each case broke one thing in a body that, unbroken, succeeds (and changes rows): proven last.
    for (const endpoint of ENDPOINTS) {
      const body = endpoint.valid();
      const reply = await send(running.url, endpoint.path, { body: json(body), headers: { ...JSON_TYPE, ...endpoint.auth() } });
      assert.equal(reply.status, 200, `${endpoint.path} ${json(body)}: ${reply.text}`);
    }
    const after = await snapshot(db());
    assert.equal(after.accounts.length, baseline.accounts.length + 2, 'two registrations');
    // Two sign-ins and one registration with its token add three; the invalidation removes one.
    assert.equal(after.tokens.length, baseline.tokens.length + 3 - 1);
    assert.equal((await api.get('/api/auth/me', { Authentication: victim })).status, 401, 'the invalidation went through');
  });
});
