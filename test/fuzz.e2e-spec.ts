import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { io, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { startApp, type RunningApp } from './support/app';
import { eachEngine } from './support/engines';
import {
  anyText,
  assertErrorShape,
  assertHygienic,
  authorizationValue,
  contentType,
  deepJson,
  difference,
  fuzzParameters,
  headerValue,
  JSON_TYPE,
  json,
  numberLiteral,
  type RawReply,
  type RawRequest,
  send,
  snapshot,
  type Snapshot,
} from './support/fuzz';
import { b64, client, uniqueLogin } from './support/http';

/**
 * Property-based tests of CONTRACT section 6 and the socket.io handshake of section 7: whatever
 * arrives, the answer is a 2xx or a 4xx in the dialect's shape, the process keeps serving, and
 * no account or token changes unless the request succeeded (then exactly the expected rows are
 * added). FUZZ_RUNS sets the runs per property (default 60); see support/fuzz.ts.
 */

interface Target {
  method: 'GET' | 'POST';
  path: string;
  fields: string[];
  /** Every status the endpoint may answer to anything the properties send. */
  statuses: number[];
  /** Sends the owner's token, so that the guard lets the body through. */
  signedIn: boolean;
  /** What a success adds. */
  adds: { accounts: number; tokens: number };
}

const POST_TARGETS: Target[] = [
  { method: 'POST', path: '/register', fields: ['login', 'password'], statuses: [200, 400, 409, 413, 415], signedIn: false, adds: { accounts: 1, tokens: 0 } },
  { method: 'POST', path: '/auth', fields: ['login', 'password'], statuses: [200, 400, 401, 413, 415], signedIn: false, adds: { accounts: 0, tokens: 1 } },
  { method: 'POST', path: '/api/auth/register', fields: ['handle', 'pwd'], statuses: [200, 400, 409, 413, 415], signedIn: false, adds: { accounts: 1, tokens: 1 } },
  { method: 'POST', path: '/api/auth/login', fields: ['handle', 'pwd'], statuses: [200, 400, 401, 413, 415], signedIn: false, adds: { accounts: 0, tokens: 1 } },
  // Arbitrary tokens are never the owner's: a 200 here revokes nothing.
  { method: 'POST', path: '/api/auth/invalidate', fields: ['token'], statuses: [200, 400, 413, 415], signedIn: true, adds: { accounts: 0, tokens: 0 } },
  // Arbitrary ids and passwords are never the owner's: these are refused, and change nothing.
  { method: 'POST', path: '/api/auth/sessions/revoke', fields: ['id'], statuses: [400, 404, 413, 415], signedIn: true, adds: { accounts: 0, tokens: 0 } },
  { method: 'POST', path: '/api/auth/sessions/revoke-others', fields: ['pwd'], statuses: [400, 403, 413, 415], signedIn: true, adds: { accounts: 0, tokens: 0 } },
  { method: 'POST', path: '/api/auth/password', fields: ['pwd', 'newPwd'], statuses: [400, 403, 413, 415], signedIn: true, adds: { accounts: 0, tokens: 0 } },
  { method: 'POST', path: '/api/auth/delete', fields: ['pwd'], statuses: [400, 403, 413, 415], signedIn: true, adds: { accounts: 0, tokens: 0 } },
];
const GET_TARGETS: Target[] = [
  { method: 'GET', path: '/api/auth/me', fields: [], statuses: [200], signedIn: true, adds: { accounts: 0, tokens: 0 } },
  { method: 'GET', path: '/api/auth/sessions', fields: [], statuses: [200], signedIn: true, adds: { accounts: 0, tokens: 0 } },
  { method: 'GET', path: '/health', fields: [], statuses: [200], signedIn: false, adds: { accounts: 0, tokens: 0 } },
];
const CREDENTIAL_TARGETS = POST_TARGETS.filter((t) => t.fields.includes('login') || t.fields.includes('handle'));

const TOKEN = /^[A-Za-z0-9_-]{43,}$/;
const HANDSHAKE_WAIT_MS = 8000;

eachEngine(__filename, (db) => {
  let running: RunningApp;
  const api = client(() => running.url);
  let owner: { login: string; password: string; token: string };
  /** The rows as they must be now: updated after every request by exactly what it may change. */
  let expected: Snapshot;

  before(async () => {
    running = await startApp(db(), { LOGIN_MAX_FAILURES: '1000000' });
    owner = await api.account(uniqueLogin('Owner'), 'owner-password');
    expected = await snapshot(db());
  });
  after(async () => {
    await running?.close();
  });

  /** A body the endpoint accepts: fresh credentials for registrations, the owner's for sign-ins. */
  function validBody(target: Target): Record<string, string> {
    switch (target.path) {
      case '/register':
        return { login: uniqueLogin('fuzz'), password: 'good-password' };
      case '/auth':
        return { login: owner.login, password: owner.password };
      case '/api/auth/register':
        return { handle: uniqueLogin('fuzz'), pwd: b64('good-password') };
      case '/api/auth/login':
        return { handle: owner.login, pwd: b64(owner.password) };
      case '/api/auth/invalidate':
        return { token: 'A'.repeat(43) };
      case '/api/auth/sessions/revoke':
        return { id: 'A'.repeat(22) };
      case '/api/auth/sessions/revoke-others':
      case '/api/auth/delete':
        return { pwd: b64('not-the-password') };
      case '/api/auth/password':
        return { pwd: b64('not-the-password'), newPwd: b64('brand-new-password') };
      default:
        return {};
    }
  }

  function assertSuccess(target: Target, reply: RawReply, context: string): void {
    const body = reply.body;
    const where = `${context}: ${reply.text.slice(0, 200)}`;
    switch (target.path) {
      case '/register':
        assert.deepEqual(body, { success: true }, where);
        break;
      case '/auth':
        assert.deepEqual(Object.keys(body), ['token'], where);
        assert.match(body.token, TOKEN, where);
        break;
      case '/api/auth/register':
      case '/api/auth/login':
        assert.deepEqual(Object.keys(body).sort(), ['status', 'token'], where);
        assert.equal(body.status, 'ok', where);
        assert.match(body.token, TOKEN, where);
        break;
      case '/api/auth/invalidate':
        assert.deepEqual(body, { status: 'ok' }, where);
        break;
      case '/health':
        assert.deepEqual(body, { status: 'ok', database: 'up', redis: 'off' }, where);
        break;
      case '/api/auth/me':
        assert.deepEqual(Object.keys(body).sort(), ['createdAt', 'handle', 'status'], where);
        assert.equal(body.handle, owner.login, where);
        break;
      case '/api/auth/sessions':
        assert.deepEqual(Object.keys(body).sort(), ['sessions', 'status', 'total'], where);
        assert.equal(body.sessions.length, body.total, where);
        assert.equal(body.sessions.filter((s: { current: boolean }) => s.current).length, 1, where);
        break;
      default:
        assert.fail(`no success shape for ${target.path}`);
    }
  }

  /**
   * What changed in the tables since the last request. The new state becomes the reference at
   * once, so that a failing run does not make every later run (and every shrink) fail too.
   */
  async function observe(): Promise<ReturnType<typeof difference>> {
    const now = await snapshot(db());
    const changes = difference(expected, now);
    expected = now;
    return changes;
  }

  /** The rows changed by exactly what `reply` allows, and the service still answers /health. */
  async function assertSettled(
    changes: ReturnType<typeof difference>,
    target: Target | undefined,
    reply: RawReply | undefined,
    context: string,
    sentIdentifier?: unknown,
  ): Promise<void> {
    const { added, removed } = changes;
    const success = target !== undefined && reply !== undefined && reply.status === 200;
    const adds = success ? target.adds : { accounts: 0, tokens: 0 };
    assert.deepEqual(removed, { accounts: [], tokens: [] }, `${context}: rows removed or changed`);
    assert.equal(added.accounts.length, adds.accounts, `${context}: accounts added ${JSON.stringify(added.accounts)}`);
    assert.equal(added.tokens.length, adds.tokens, `${context}: tokens added`);
    if (adds.accounts === 1 && typeof sentIdentifier === 'string') {
      assert.ok(added.accounts[0].includes(`|${sentIdentifier}|`), `${context}: the account is shown as registered`);
    }
    const health = await send(running.url, '/health', { method: 'GET' });
    assert.equal(health.status, 200, `${context}: /health answers ${health.status} afterwards`);
  }

  /** Sends one request and checks everything a reply and the database must satisfy. */
  async function exchange(target: Target, request: RawRequest, context: string, sentIdentifier?: unknown): Promise<RawReply> {
    const headers = { ...(target.signedIn ? { authentication: owner.token } : {}), ...request.headers };
    const outcome = await send(running.url, target.path, { method: target.method, ...request, headers }).catch((error: Error) => error);
    const changes = await observe();
    if (outcome instanceof Error) throw outcome;
    const reply = outcome;
    const sent = typeof request.body === 'string' ? request.body : '';
    const where = `${target.method} ${target.path} ${context}`;
    assertHygienic(reply, where, sent);
    assert.ok(target.statuses.includes(reply.status), `${where}: unexpected ${reply.status} ${reply.text.slice(0, 200)}`);
    if (reply.status >= 400) assertErrorShape(reply, target.path, reply.status, where, sent);
    else assertSuccess(target, reply, where);
    await assertSettled(changes, target, reply, where, sentIdentifier);
    return reply;
  }

  const postTarget = fc.constantFrom(...POST_TARGETS);
  const credentialTarget = fc.constantFrom(...CREDENTIAL_TARGETS);

  it('POST endpoints: an arbitrary JSON value as the body', async () => {
    await fc.assert(
      fc.asyncProperty(postTarget, fc.jsonValue({ maxDepth: 6 }), async (target, value) => {
        await exchange(target, { body: json(value), headers: JSON_TYPE }, 'arbitrary JSON');
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: the right keys, each maybe missing, with arbitrary values, and maybe extra keys', async () => {
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), anyText(), fc.constantFrom('', 'x', 'good-password', 'A'.repeat(43)));
    const extraKey = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'LOGIN', 'Token'));
    const extras = fc.dictionary(extraKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 });
    const body = postTarget.chain((target) =>
      fc.tuple(
        fc.constant(target),
        fc.record(Object.fromEntries(target.fields.map((f) => [f, value])), { requiredKeys: [] }),
        fc.option(extras, { nil: undefined }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async ([target, fields, extra]) => {
        const sent = { ...fields, ...extra };
        const identifier = sent.login ?? sent.handle;
        await exchange(target, { body: json(sent), headers: JSON_TYPE }, `body ${json(sent).slice(0, 200)}`, identifier);
      }),
      fuzzParameters(),
    );
  });

  it('credential endpoints: arbitrary Unicode identifiers and passwords (a valid pair may succeed, and is accounted for)', async () => {
    const identifier = fc.oneof(
      anyText(80),
      fc.stringMatching(/^[A-Za-z0-9._-]{1,70}$/),
      fc.string({ unit: 'grapheme', minLength: 60, maxLength: 70 }),
      fc.constantFrom(
        owner.login,
        owner.login.toUpperCase(),
        owner.login.toLowerCase(),
        ` ${owner.login}`,
        `${owner.login}\u0000`,
        owner.login.normalize('NFKD'),
      ),
    );
    const password = fc.oneof(
      anyText(40),
      fc.string({ minLength: 6, maxLength: 30 }),
      fc.string({ minLength: 1000, maxLength: 1100 }),
      fc.constant(owner.password),
    );
    const base64Alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n'];
    const pwd = fc.oneof(
      password.map(b64),
      password.map((p) => b64(p).replace(/=+$/, '')),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc.string({ unit: fc.constantFrom(...base64Alphabet), maxLength: 24 }),
      anyText(20),
    );
    await fc.assert(
      fc.asyncProperty(credentialTarget, identifier, password, pwd, async (target, id, pw, encoded) => {
        const body = target.fields[0] === 'login' ? { login: id, password: pw } : { handle: id, pwd: encoded };
        await exchange(target, { body: json(body), headers: JSON_TYPE }, `credentials ${json(body).slice(0, 200)}`, id);
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: huge, tiny and odd number literals in place of any field', async () => {
    const body = postTarget.chain((target) =>
      fc.tuple(
        fc.constant(target),
        fc.array(fc.option(numberLiteral, { nil: undefined }), { minLength: target.fields.length, maxLength: target.fields.length }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async ([target, numbers]) => {
        const valid = validBody(target);
        // Each field is either its valid value or a raw number literal.
        const members = target.fields.map((f, i) => `${JSON.stringify(f)}:${numbers[i] ?? JSON.stringify(valid[f])}`);
        const text = `{${members.join(',')}}`;
        await exchange(target, { body: text, headers: JSON_TYPE }, `numbers ${text.slice(0, 200)}`, valid.login ?? valid.handle);
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: deep nesting under 64 KiB, as the body or as a field', async () => {
    const body = fc.tuple(postTarget, fc.nat(), deepJson(60_000), fc.boolean());
    await fc.assert(
      fc.asyncProperty(body, async ([target, which, nested, asField]) => {
        let text = nested;
        if (asField) {
          const valid = validBody(target);
          const field = target.fields[which % target.fields.length];
          text = json({ ...valid, [field]: '\u0000hole' }).replace('"\\u0000hole"', nested);
        }
        assert.ok(Buffer.byteLength(text) <= 64 * 1024);
        const reply = await exchange(target, { body: text, headers: JSON_TYPE }, `nesting of ${text.length} bytes`);
        assert.equal(reply.status, 400, `${target.path}: nesting ${text.slice(0, 40)}…`);
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: arbitrary bytes, and valid bodies with one character changed', async () => {
    const mutated = postTarget.chain((target) =>
      fc.tuple(
        fc.constant(target),
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((bytes) => ({ raw: Buffer.from(bytes) as string | Buffer })),
          fc.string({ unit: 'binary', maxLength: 300 }).map((text) => ({ raw: text as string | Buffer })),
          fc
            .tuple(fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
            .map(([at, how, char]) => ({ at, how, char })),
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async ([target, change]) => {
        let body: string | Buffer;
        if ('raw' in change) {
          body = change.raw;
        } else {
          const text = json(validBody(target));
          const at = change.at % (text.length + 1);
          const keep = change.how === 'insert' ? at : at + 1;
          body = text.slice(0, at) + (change.how === 'delete' ? '' : change.char) + text.slice(keep);
        }
        const shown = typeof body === 'string' ? body.slice(0, 200) : `${body.length} bytes`;
        await exchange(target, { body, headers: JSON_TYPE }, `raw ${JSON.stringify(shown)}`);
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: odd content types and encodings, with a body that is otherwise valid', async () => {
    const encodings = fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'compress', 'x-gzip', 'gzip, gzip', 'GZIP');
    const encoding = fc.option(fc.oneof(encodings, headerValue(20)), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(postTarget, contentType, encoding, fc.boolean(), async (target, type, contentEncoding, chunked) => {
        const valid = validBody(target);
        const headers: Record<string, string> = { 'content-type': type };
        if (contentEncoding !== undefined) headers['content-encoding'] = contentEncoding;
        const context = `content type ${JSON.stringify(type)} encoding ${JSON.stringify(contentEncoding)}`;
        await exchange(target, { body: json(valid), headers, chunked }, context, valid.login ?? valid.handle);
      }),
      fuzzParameters(),
    );
  });

  it('every endpoint: arbitrary Authentication and Authorization headers (ignored where no token is needed)', async () => {
    const headers = fc.record(
      { authentication: authorizationValue, authorization: authorizationValue },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_TARGETS, ...GET_TARGETS), headers, async (target, sent) => {
        const valid = validBody(target);
        const request: RawRequest = target.method === 'POST' ? { body: json(valid), headers: { ...JSON_TYPE, ...sent } } : { headers: sent };
        // Replaces the owner's token: an arbitrary header is never a valid one.
        const unsigned = { ...target, signedIn: false, statuses: target.signedIn ? [401] : [200] };
        await exchange(unsigned, request, `headers ${JSON.stringify(sent).slice(0, 300)}`, valid.login ?? valid.handle);
      }),
      fuzzParameters(),
    );
  });

  it('GET endpoints: arbitrary other headers change nothing', async () => {
    const names = fc.oneof(
      fc.constantFrom(
        'x-forwarded-for',
        'forwarded',
        'x-real-ip',
        'origin',
        'referer',
        'accept',
        'accept-encoding',
        'accept-language',
        'cookie',
        'user-agent',
        'x-http-method-override',
        'x-requested-with',
        'cache-control',
        'pragma',
        'range',
        'via',
        'content-type',
        'content-encoding',
      ),
      fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...GET_TARGETS), fc.dictionary(names, headerValue(100), { maxKeys: 4 }), async (target, extra) => {
        await exchange(target, { headers: extra }, `headers ${JSON.stringify(extra).slice(0, 300)}`);
      }),
      fuzzParameters(),
    );
  });

  type ClientOptions = Partial<ManagerOptions & SocketOptions>;

  /** The connect_error message of a handshake; fails if the socket connects or nothing happens. */
  function handshake(options: ClientOptions): Promise<string> {
    const socket = io(running.url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: HANDSHAKE_WAIT_MS, ...options });
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`neither connect nor connect_error within ${HANDSHAKE_WAIT_MS} ms`)), HANDSHAKE_WAIT_MS + 1000);
      socket.once('connect', () => {
        clearTimeout(timer);
        reject(new Error('the socket connected'));
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        resolve(error.message);
      });
    }).finally(() => socket.close());
  }

  it('socket.io: a handshake with arbitrary auth payloads and headers is refused with Unauthorized', async () => {
    const tokenValue = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      anyText(),
      fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      fc.string({ minLength: 500, maxLength: 700 }),
      fc.constantFrom(`Bearer ${owner.token}`, ` ${owner.token}`, owner.token.slice(1), owner.token.toUpperCase()),
    );
    const auth = fc.oneof(
      fc.record({ token: tokenValue }),
      fc.dictionary(
        fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('Token', 'authentication', 'authorization', '__proto__')),
        fc.jsonValue({ maxDepth: 3 }),
        { maxKeys: 4 },
      ),
    );
    const headers = fc.record(
      { authentication: authorizationValue, authorization: authorizationValue, 'x-forwarded-for': headerValue(40) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.option(auth, { nil: undefined }), fc.option(headers, { nil: undefined }), async (payload, extraHeaders) => {
        const options: ClientOptions = {};
        if (payload !== undefined) options.auth = payload as Record<string, unknown>;
        if (extraHeaders !== undefined) options.extraHeaders = extraHeaders;
        const context = `handshake ${JSON.stringify(options).slice(0, 300)}`;
        const outcome = await handshake(options).catch((error: Error) => error.message);
        const changes = await observe();
        assert.equal(outcome, 'Unauthorized', context);
        await assertSettled(changes, undefined, undefined, context);
      }),
      fuzzParameters(),
    );
  });

  it('afterwards: the owner still signs in, and their token still works over HTTP and socket.io', async () => {
    assert.equal((await api.get('/api/auth/me', { Authentication: owner.token })).status, 200);
    assert.equal((await api.post('/auth', { login: owner.login, password: owner.password })).status, 200);
    const socket = io(running.url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: HANDSHAKE_WAIT_MS,
      auth: { token: owner.token },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      assert.deepEqual(await socket.timeout(HANDSHAKE_WAIT_MS).emitWithAck('whoami'), { status: 'ok', handle: owner.login });
    } finally {
      socket.close();
    }
  });
});
