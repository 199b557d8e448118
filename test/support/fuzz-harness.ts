import assert from 'node:assert/strict';
import { before } from 'node:test';
import { appPerSuite, type RunningApp } from './app';
import type { TestDatabase } from './engines';
import {
  assertErrorShape,
  assertHygienic,
  difference,
  type RawReply,
  type RawRequest,
  send,
  snapshot,
  type Snapshot,
} from './fuzz';
import { b64, client, uniqueLogin } from './http';

/**
 * What the fuzz specs share: the endpoints under test, an app with an owner account, and
 * `exchange`, which sends one request and checks the reply and the rows it may change.
 */

export interface Target {
  method: 'GET' | 'POST';
  path: string;
  fields: string[];
  /** Every status the endpoint may answer to anything the properties send. */
  statuses: number[];
  /** Sends the owner's token, so that the guard lets the body through. */
  signedIn: boolean;
  /** What a success adds. */
  adds: { accounts: number; tokens: number };
  /** The status of validBody's request when it is not 200 (a passkey response that names no credential). */
  validStatus?: number;
}

export const POST_TARGETS: Target[] = [
  {
    method: 'POST',
    path: '/register',
    fields: ['login', 'password'],
    statuses: [200, 400, 409, 413, 415],
    signedIn: false,
    adds: { accounts: 1, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/auth',
    fields: ['login', 'password'],
    statuses: [200, 400, 401, 413, 415],
    signedIn: false,
    adds: { accounts: 0, tokens: 1 },
  },
  {
    method: 'POST',
    path: '/api/auth/register',
    fields: ['handle', 'pwd'],
    statuses: [200, 400, 409, 413, 415],
    signedIn: false,
    adds: { accounts: 1, tokens: 1 },
  },
  {
    method: 'POST',
    path: '/api/auth/login',
    fields: ['handle', 'pwd'],
    statuses: [200, 400, 401, 413, 415],
    signedIn: false,
    adds: { accounts: 0, tokens: 1 },
  },
  // Arbitrary tokens are never the owner's: a 200 here revokes nothing.
  {
    method: 'POST',
    path: '/api/auth/invalidate',
    fields: ['token'],
    statuses: [200, 400, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  // Arbitrary ids and passwords are never the owner's: these are refused, and change nothing.
  {
    method: 'POST',
    path: '/api/auth/sessions/revoke',
    fields: ['id'],
    statuses: [400, 404, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/sessions/revoke-others',
    fields: ['pwd'],
    statuses: [400, 403, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/password',
    fields: ['pwd', 'newPwd'],
    statuses: [400, 403, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/delete',
    fields: ['pwd'],
    statuses: [400, 403, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  // Sign-in with the second-factor field: ignored for the owner, who has no second factor.
  {
    method: 'POST',
    path: '/auth',
    fields: ['login', 'password', 'otp'],
    statuses: [200, 400, 401, 413, 415],
    signedIn: false,
    adds: { accounts: 0, tokens: 1 },
  },
  {
    method: 'POST',
    path: '/api/auth/login',
    fields: ['handle', 'pwd', 'otp'],
    statuses: [200, 400, 401, 413, 415],
    signedIn: false,
    adds: { accounts: 0, tokens: 1 },
  },
  // Two-factor: the owner has it off and no setup pending; arbitrary passwords are never theirs.
  {
    method: 'POST',
    path: '/api/auth/2fa/setup',
    fields: ['pwd', 'otp'],
    statuses: [400, 403, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/2fa/enable',
    fields: ['code'],
    statuses: [400, 409, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/2fa/disable',
    fields: ['pwd', 'otp'],
    statuses: [400, 409, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/2fa/backup-codes',
    fields: ['pwd', 'otp'],
    statuses: [400, 409, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  // Access tokens: arbitrary passwords and ids are never the owner's, so nothing is made or revoked.
  {
    method: 'POST',
    path: '/api/auth/tokens',
    fields: ['name', 'scopes', 'expiresIn', 'pwd', 'otp'],
    statuses: [400, 403, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/tokens/revoke',
    fields: ['id'],
    statuses: [400, 404, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  // Introspection answers 200 for any token (arbitrary ones are inactive); a form body is accepted too.
  {
    method: 'POST',
    path: '/api/auth/introspect',
    fields: ['token', 'token_type_hint'],
    statuses: [200, 400, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  // Passkeys: the owner has none, and no challenge is ever issued for a fuzzed response.
  {
    method: 'POST',
    path: '/api/auth/passkeys/options',
    fields: ['pwd', 'otp'],
    statuses: [400, 403, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/passkeys',
    fields: ['credential', 'name'],
    statuses: [400, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/passkeys/remove',
    fields: ['id', 'pwd'],
    statuses: [400, 404, 413, 415],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/passkey/login/options',
    fields: [],
    statuses: [200, 400, 413, 415],
    signedIn: false,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'POST',
    path: '/api/auth/passkey/login',
    fields: ['credential'],
    statuses: [400, 401, 413, 415],
    signedIn: false,
    adds: { accounts: 0, tokens: 0 },
    validStatus: 401,
  },
];

/** WebAuthn JSON forms that are well-formed and verify against nothing (no such challenge or credential). */
export const WELL_FORMED_REGISTRATION = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  rawId: 'AAAAAAAAAAAAAAAAAAAAAA',
  type: 'public-key',
  response: { clientDataJSON: 'e30', attestationObject: 'oA' },
  clientExtensionResults: {},
};
export const WELL_FORMED_ASSERTION = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  rawId: 'AAAAAAAAAAAAAAAAAAAAAA',
  response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA', userHandle: 'AAAA' },
  clientExtensionResults: {},
  type: 'public-key',
};
export const GET_TARGETS: Target[] = [
  {
    method: 'GET',
    path: '/api/auth/me',
    fields: [],
    statuses: [200],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'GET',
    path: '/api/auth/sessions',
    fields: [],
    statuses: [200],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'GET',
    path: '/api/auth/tokens',
    fields: [],
    statuses: [200],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  {
    method: 'GET',
    path: '/api/auth/passkeys',
    fields: [],
    statuses: [200],
    signedIn: true,
    adds: { accounts: 0, tokens: 0 },
  },
  { method: 'GET', path: '/health', fields: [], statuses: [200], signedIn: false, adds: { accounts: 0, tokens: 0 } },
];
export const CREDENTIAL_TARGETS = POST_TARGETS.filter((t) => t.fields.includes('login') || t.fields.includes('handle'));

const TOKEN = /^[A-Za-z0-9_-]{43,}$/;
export const HANDSHAKE_WAIT_MS = 8000;

export interface FuzzHarness {
  running: () => RunningApp;
  api: ReturnType<typeof client>;
  /** The account whose rows no fuzzed request may change (set before the first test). */
  owner: { login: string; password: string; token: string };
  validBody(target: Target): Record<string, unknown>;
  observe(): Promise<ReturnType<typeof difference>>;
  assertSettled(
    changes: ReturnType<typeof difference>,
    target: Target | undefined,
    reply: RawReply | undefined,
    context: string,
    sentIdentifier?: unknown,
  ): Promise<void>;
  exchange(target: Target, request: RawRequest, context: string, sentIdentifier?: unknown): Promise<RawReply>;
}

/** Starts the app for the enclosing suite, registers the owner and takes the first snapshot. */
export function fuzzHarness(db: () => TestDatabase): FuzzHarness {
  // Fuzzing floods on purpose: thousands of refused tokens a minute from one address (FUZZ_RUNS=2000).
  const running = appPerSuite(db, { LOGIN_MAX_FAILURES: '1000000', TOKEN_FAILURES_PER_MINUTE: '0' });
  const api = client(() => running().url);
  let owner: { login: string; password: string; token: string };
  /** The rows as they must be now: updated after every request by exactly what it may change. */
  let expected: Snapshot;

  before(async () => {
    owner = await api.account(uniqueLogin('Owner'), 'owner-password');
    expected = await snapshot(db());
  });

  /** A body the endpoint accepts: fresh credentials for registrations, the owner's for sign-ins. */
  function validBody(target: Target): Record<string, unknown> {
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
      case '/api/auth/2fa/setup':
        return { pwd: b64('not-the-password') };
      case '/api/auth/2fa/enable':
        return { code: '123456' };
      case '/api/auth/2fa/disable':
      case '/api/auth/2fa/backup-codes':
        return { pwd: b64('not-the-password'), otp: '123456' };
      case '/api/auth/tokens':
        return { name: 'fuzz', scopes: ['account:read'], pwd: b64('not-the-password') };
      case '/api/auth/tokens/revoke':
        return { id: 'A'.repeat(22) };
      case '/api/auth/introspect':
        return { token: 'A'.repeat(43) };
      case '/api/auth/passkeys/options':
        return { pwd: b64('not-the-password') };
      case '/api/auth/passkeys':
        return { credential: WELL_FORMED_REGISTRATION, name: 'Laptop' };
      case '/api/auth/passkeys/remove':
        return { id: 'A'.repeat(22), pwd: b64('not-the-password') };
      case '/api/auth/passkey/login':
        return { credential: WELL_FORMED_ASSERTION };
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
        assert.deepEqual(Object.keys(body).sort(), ['createdAt', 'handle', 'status', 'twoFactor'], where);
        assert.equal(body.handle, owner.login, where);
        break;
      case '/api/auth/tokens':
        assert.deepEqual(Object.keys(body).sort(), ['status', 'tokens'], where);
        assert.deepEqual(body.tokens, [], where);
        break;
      case '/api/auth/introspect':
        // No token the fuzzer makes up is live; the answer is RFC 7662's, without `status`.
        assert.deepEqual(body, { active: false }, where);
        break;
      case '/api/auth/passkeys':
        assert.deepEqual(body, { status: 'ok', passkeys: [] }, where);
        break;
      case '/api/auth/passkey/login/options':
        assert.deepEqual(Object.keys(body).sort(), ['options', 'status'], where);
        assert.equal(body.options.allowCredentials, undefined, where);
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
    const health = await send(running().url, '/health', { method: 'GET' });
    assert.equal(health.status, 200, `${context}: /health answers ${health.status} afterwards`);
  }

  /** Sends one request and checks everything a reply and the database must satisfy. */
  async function exchange(
    target: Target,
    request: RawRequest,
    context: string,
    sentIdentifier?: unknown,
  ): Promise<RawReply> {
    const headers = { ...(target.signedIn ? { authentication: owner.token } : {}), ...request.headers };
    const outcome = await send(running().url, target.path, { method: target.method, ...request, headers }).catch(
      (error: Error) => error,
    );
    const changes = await observe();
    if (outcome instanceof Error) throw outcome;
    const reply = outcome;
    const sent = typeof request.body === 'string' ? request.body : '';
    const where = `${target.method} ${target.path} ${context}`;
    assertHygienic(reply, where, sent);
    assert.ok(
      target.statuses.includes(reply.status),
      `${where}: unexpected ${reply.status} ${reply.text.slice(0, 200)}`,
    );
    if (reply.status >= 400) assertErrorShape(reply, target.path, reply.status, where, sent);
    else assertSuccess(target, reply, where);
    await assertSettled(changes, target, reply, where, sentIdentifier);
    return reply;
  }

  return {
    running,
    api,
    get owner() {
      return owner;
    },
    validBody,
    observe,
    assertSettled,
    exchange,
  };
}
