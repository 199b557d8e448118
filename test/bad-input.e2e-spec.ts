import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type RunningApp } from './support/app';
import { type Case, describeRefusals, jsonCase, nested, type PostEndpoint, sizedBody } from './support/bad-input';
import { eachEngine } from './support/engines';
import {
  assertErrorShape,
  assertHygienic,
  JSON_TYPE,
  json,
  rawExchange,
  send,
  snapshot,
  type RawRequest,
  type Snapshot,
} from './support/fuzz';
import { b64, client, uniqueLogin } from './support/http';

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
      newPassword: { field: 'password', encode: (p) => p },
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
      newPassword: { field: 'pwd', encode: b64 },
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

  for (const endpoint of ENDPOINTS)
    describeRefusals(endpoint, { url: () => running.url, db, baseline: () => baseline });

  describe('POST /api/auth/invalidate without a valid caller token', () => {
    const path = '/api/auth/invalidate';

    it('answers 401 to a well-formed JSON body of the wrong shape: the guard runs before validation', async () => {
      const bodies = [
        '{}',
        '[]',
        json({ token: 5 }),
        json({ token: null }),
        json({ token: victim, extra: 1 }),
        json({ nonsense: true }),
      ];
      for (const headers of [
        JSON_TYPE,
        { ...JSON_TYPE, authentication: 'B'.repeat(43) },
        { ...JSON_TYPE, authorization: 'Basic abc' },
      ]) {
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
        assert.deepEqual(Object.keys(signedIn.body).sort(), ['createdAt', 'handle', 'status', 'twoFactor'], name);
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
        assertErrorShape(
          await send(running.url, path, { method: 'GET', headers: h }),
          path,
          401,
          JSON.stringify(h).slice(0, 80),
        );
      }
      // A present but invalid Authentication header is not overridden by a valid Authorization one.
      const both = await send(running.url, path, {
        method: 'GET',
        headers: { authentication: 'bogus', authorization: `Bearer ${owner.token}` },
      });
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
        const reply = await send(running.url, path, {
          method,
          body: method === 'GET' ? undefined : '{}',
          headers: JSON_TYPE,
        });
        assertErrorShape(reply, path, 404, `${method} ${path}`);
      }
    });
  });

  describe('requests that are not valid HTTP', () => {
    const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
    const post = (...lines: string[]) =>
      head(['POST /auth HTTP/1.1', 'Host: x', 'Content-Type: application/json', ...lines, 'Connection: close']);
    const cases: Array<[string, string | Buffer]> = [
      [
        'a NUL byte in a header value',
        head(['GET /api/auth/me HTTP/1.1', 'Host: x', 'Authentication: a\u0000b', 'Connection: close']),
      ],
      [
        'a line feed inside a header name',
        head(['GET /health HTTP/1.1', 'Host: x', 'Authen\ntication: x', 'Connection: close']),
      ],
      [
        'both Content-Length and Transfer-Encoding',
        `${post('Content-Length: 2', 'Transfer-Encoding: chunked')}0\r\n\r\n`,
      ],
      ['two different Content-Lengths', `${post('Content-Length: 2', 'Content-Length: 3')}{}`],
      ['a negative Content-Length', post('Content-Length: -1')],
      ['a malformed chunk size', `${post('Transfer-Encoding: chunked')}zz\r\n{}\r\n0\r\n\r\n`],
      [
        'headers over 16 KiB',
        head(['GET /api/auth/me HTTP/1.1', 'Host: x', `Authentication: ${'x'.repeat(17 * 1024)}`, 'Connection: close']),
      ],
      ['a garbage request line', 'HELLO\r\n\r\n'],
      ['binary noise', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256))],
    ];

    it("is refused by Node's HTTP parser with 400 (431 for oversized headers) in the classic shape, and the service keeps serving", async () => {
      for (const [name, bytes] of cases) {
        const reply = await rawExchange(running.port, bytes);
        assert.ok(reply.status === 400 || reply.status === 431, `${name}: ${reply.head}`);
        assert.deepEqual(
          JSON.parse(reply.body),
          {
            error: reply.status === 400 ? 'Bad Request' : 'Request Header Fields Too Large',
            message: 'the request is not valid HTTP',
          },
          name,
        );
        assert.doesNotMatch(reply.body, /\n\s+at\s|node_modules/, name);
        assert.equal((await api.get('/health')).status, 200, `${name}: /health afterwards`);
      }
      assert.deepEqual(await snapshot(db()), baseline);
    });

    it("answers an Expect other than 100-continue with 417 in the dialect's shape", async () => {
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
      const reply = await send(running.url, endpoint.path, {
        body: json(body),
        headers: { ...JSON_TYPE, ...endpoint.auth() },
      });
      assert.equal(reply.status, 200, `${endpoint.path} ${json(body)}: ${reply.text}`);
    }
    const after = await snapshot(db());
    assert.equal(after.accounts.length, baseline.accounts.length + 2, 'two registrations');
    // Two sign-ins and one registration with its token add three; the invalidation removes one.
    assert.equal(after.tokens.length, baseline.tokens.length + 3 - 1);
    assert.equal(
      (await api.get('/api/auth/me', { Authentication: victim })).status,
      401,
      'the invalidation went through',
    );
  });
});
