import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { appPerSuite } from './support/app';
import { eventLines } from './support/cli';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';
import { startOwnerMcp, textOf, type OwnerMcp } from './support/mcp';
import { closeSockets, dropped, openSocket } from './support/sockets';

const TEST_TIMEOUT = { timeout: 60_000 };
const SWEEP_MS = 300;
const TOOLS = [
  'delete_account',
  'find_account',
  'issue_recovery_code',
  'list_events',
  'list_sessions',
  'lock_account',
  'revoke_tokens',
  'turn_off_two_factor',
  'unlock_account',
];
/** The tools that act on one account, named by its login alone (list_events takes filters too). */
const ACCOUNT_TOOLS = TOOLS.filter((name) => name !== 'list_events');

/** A failure result: isError and one line of reason. */
function assertToolError(result: { isError?: boolean; content: unknown[] }, reason: RegExp): void {
  assert.equal(result.isError, true, JSON.stringify(result));
  const text = textOf(result as never);
  assert.match(text, reason);
  assert.ok(!text.includes('\n'), `more than one line: ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /\s+at \S+ \(/);
}

describe('the MCP server without a usable database', () => {
  let mcp: OwnerMcp;
  before(async () => {
    mcp = await startOwnerMcp({ DATABASE_URL: 'mysql://root@127.0.0.1:1/x' });
  });
  after(async () => {
    await mcp?.close();
  });

  it('answers every tool call with a one-line isError result, and keeps answering', TEST_TIMEOUT, async () => {
    for (const name of TOOLS) {
      const started = performance.now();
      assertToolError(await mcp.call(name, { login: 'alice' }), /^database unavailable/);
      assert.ok(performance.now() - started < 8000);
    }
    assert.equal((await mcp.client.listTools()).tools.length, TOOLS.length);
    assert.doesNotMatch(mcp.stderr(), /"event"/, 'no event for a failure');
  });
});

eachEngine(__filename, (db) => {
  const running = appPerSuite(db, { TOKEN_SWEEP_INTERVAL: `${SWEEP_MS / 1000}s` });
  let mcp: OwnerMcp;
  const api = client(() => running().url);
  const protocolErrors: Error[] = [];

  before(async () => {
    mcp = await startOwnerMcp({ DATABASE_URL: db().url });
    mcp.client.onerror = (error) => protocolErrors.push(error);
  });
  after(async () => {
    await mcp?.close();
  });
  afterEach(closeSockets);

  const me = (token: string) => api.get('/api/auth/me', { Authentication: token });
  /** The events the MCP server wrote for one login (all its stderr must be events marked "mcp"). */
  const eventsOf = (login: string) =>
    eventLines(mcp.stderr(), 'mcp')
      .filter((e) => e.login === login)
      .map(({ event, cause, count }) => ({ event, ...(cause ? { cause, count } : {}) }));

  async function account() {
    const user = await api.account(uniqueLogin('Mcp'));
    const socket = await openSocket(running().url, user.token);
    return { ...user, socket };
  }

  async function refusedSoon(token: string): Promise<void> {
    for (let i = 0; (await me(token)).status !== 401; i++) {
      assert.ok(i < 30, 'token still accepted');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it(
    'lists the owner tools with input schemas, descriptions and annotations, none about passwords',
    TEST_TIMEOUT,
    async () => {
      const { tools } = await mcp.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), TOOLS);
      for (const tool of tools) {
        assert.ok((tool.description ?? '').length > 40, tool.name);
        assert.equal(tool.annotations?.openWorldHint, false);
        if (!ACCOUNT_TOOLS.includes(tool.name)) continue;
        assert.deepEqual(Object.keys(tool.inputSchema.properties ?? {}), ['login'], tool.name);
        assert.deepEqual(tool.inputSchema.required, ['login']);
      }
      const hints = Object.fromEntries(
        tools.map((t) => [
          t.name,
          [t.annotations?.readOnlyHint, t.annotations?.destructiveHint, t.annotations?.idempotentHint],
        ]),
      );
      assert.deepEqual(hints, {
        find_account: [true, undefined, undefined],
        list_events: [true, undefined, undefined],
        list_sessions: [true, undefined, undefined],
        revoke_tokens: [false, true, true],
        issue_recovery_code: [false, true, false],
        lock_account: [false, true, true],
        unlock_account: [false, false, true],
        delete_account: [false, true, false],
        turn_off_two_factor: [false, true, true],
      });
      assert.ok(!tools.some((t) => /reset|password/i.test(t.name)));
    },
  );

  it('find_account and list_sessions describe the account and its sessions, never a token', TEST_TIMEOUT, async () => {
    const user = await account();
    const second = (await api.post('/auth', { login: user.login, password: user.password })).body.token as string;
    const found = await mcp.call('find_account', { login: user.login.toUpperCase() });
    assert.equal(found.isError, undefined);
    assert.deepEqual(
      { ...found.structuredContent, createdAt: undefined },
      {
        login: user.login,
        createdAt: undefined,
        locked: false,
        lockedAt: null,
        liveSessions: 2,
        recoveryCodeExpiresAt: null,
      },
    );
    assert.deepEqual(JSON.parse(textOf(found)), found.structuredContent);

    const listed = await mcp.call('list_sessions', { login: user.login });
    const rows = (await db().sql(
      'SELECT public_id FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE a.login = ? ORDER BY t.id DESC',
      [user.login],
    )) as { public_id: string }[];
    const sessions = (listed.structuredContent as { sessions: { id: string; address: string | null }[] }).sessions;
    assert.deepEqual(
      sessions.map((s) => s.id),
      rows.map((r) => r.public_id),
    );
    const text = JSON.stringify(listed);
    for (const secret of [user.token, second, user.password]) assert.ok(!text.includes(secret));
    assert.deepEqual(eventsOf(user.login), [], 'reading is not an event');
  });

  it(
    'list_sessions gives stored labels and addresses with their control characters escaped',
    TEST_TIMEOUT,
    async () => {
      const user = await account();
      await db().sql(
        'UPDATE tokens SET client = ?, address = ? WHERE token_hash IS NOT NULL AND account_id = (SELECT id FROM accounts WHERE login = ?)',
        ['Evil\u001b[2J\u202e on Linux', '10.0.0.1\u0085', user.login],
      );
      const listed = await mcp.call('list_sessions', { login: user.login });
      const [session] = (listed.structuredContent as { sessions: { client: string; address: string }[] }).sessions;
      assert.equal(session.client, 'Evil\\x1b[2J\\u202e on Linux');
      assert.equal(session.address, '10.0.0.1\\u0085');
      assert.deepEqual(JSON.parse(textOf(listed)), listed.structuredContent);
      assert.doesNotMatch(JSON.stringify(listed), /[\u007f-\u009f\u202e]|\\u001b/);
    },
  );

  it('revoke_tokens revokes every token and the server drops their sockets', TEST_TIMEOUT, async () => {
    const user = await account();
    const drop = dropped(user.socket, 15_000);
    const result = await mcp.call('revoke_tokens', { login: user.login });
    const answeredAt = performance.now();
    assert.equal(result.isError, undefined, textOf(result));
    assert.deepEqual(result.structuredContent, { login: user.login, revoked: 1 });
    await refusedSoon(user.token);
    const ending = await drop;
    assert.deepEqual(ending.revoked, { reason: 'revoked' });
    // Within the sweep's period (a margin for a loaded machine).
    assert.ok(
      ending.at - answeredAt < SWEEP_MS + 1500,
      `dropped ${Math.round(ending.at - answeredAt)} ms after the answer`,
    );
    assert.deepEqual(eventsOf(user.login), [{ event: 'token.revoked', cause: 'owner', count: 1 }]);
    assert.equal((await api.post('/auth', { login: user.login, password: user.password })).status, 200);
  });

  it(
    'issue_recovery_code gives a code the user redeems over HTTP with a password of their own',
    TEST_TIMEOUT,
    async () => {
      const user = await account();
      const result = await mcp.call('issue_recovery_code', { login: user.login });
      const { code, expiresAt } = result.structuredContent as { code: string; expiresAt: string };
      assert.match(code, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
      assert.ok(Date.parse(expiresAt) > Date.now() + 3500_000);
      assert.equal((await me(user.token)).status, 200, 'issuing changes nothing else');
      assert.ok(!mcp.stderr().includes(code));
      assert.deepEqual(eventsOf(user.login), [{ event: 'recovery-code.issued' }]);
      const found = await mcp.call('find_account', { login: user.login });
      assert.equal((found.structuredContent as { recoveryCodeExpiresAt: string }).recoveryCodeExpiresAt, expiresAt);

      const drop = dropped(user.socket, 2000);
      const redeemed = await api.post('/api/auth/recover', {
        handle: user.login,
        code,
        newPwd: b64('chosen by the user'),
      });
      assert.equal(redeemed.status, 200);
      await drop;
      assert.equal((await me(redeemed.body.token)).status, 200);
    },
  );

  it(
    'lock_account refuses sign-in with 403 and drops sockets; unlock_account lets the user back in',
    TEST_TIMEOUT,
    async () => {
      const user = await account();
      const drop = dropped(user.socket, 15_000);
      const locked = await mcp.call('lock_account', { login: user.login });
      assert.deepEqual(locked.structuredContent, { login: user.login, changed: true, revoked: 1, locked: true });
      await refusedSoon(user.token);
      await drop;
      const refused = await api.post('/api/auth/login', { handle: user.login, pwd: b64(user.password) });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, 'Forbidden');
      assert.equal((await mcp.call('find_account', { login: user.login })).structuredContent?.locked, true);

      const unlocked = await mcp.call('unlock_account', { login: user.login });
      assert.deepEqual(unlocked.structuredContent, { login: user.login, changed: true, locked: false });
      assert.equal((await api.post('/api/auth/login', { handle: user.login, pwd: b64(user.password) })).status, 200);
      assert.deepEqual(eventsOf(user.login), [
        { event: 'account.locked' },
        { event: 'token.revoked', cause: 'lock', count: 1 },
        { event: 'account.unlocked' },
      ]);
    },
  );

  it(
    'delete_account deletes the account and its tokens, drops its sockets and frees the login',
    TEST_TIMEOUT,
    async () => {
      const user = await account();
      const drop = dropped(user.socket, 15_000);
      const result = await mcp.call('delete_account', { login: user.login });
      assert.deepEqual(result.structuredContent, { login: user.login, revoked: 1, deleted: true });
      await refusedSoon(user.token);
      await drop;
      assertToolError(await mcp.call('find_account', { login: user.login }), /^no account with login/);
      assert.equal((await api.post('/register', { login: user.login, password: 'somebody new' })).status, 200);
      assert.deepEqual(eventsOf(user.login), [
        { event: 'token.revoked', cause: 'deletion', count: 1 },
        { event: 'account.deleted' },
      ]);
    },
  );

  it(
    'answers an unknown login or bad arguments with a one-line isError result, and keeps answering',
    TEST_TIMEOUT,
    async () => {
      const user = await account();
      const ghost = uniqueLogin('ghost');
      const stderrBefore = mcp.stderr();
      for (const name of ACCOUNT_TOOLS) {
        assertToolError(await mcp.call(name, { login: ghost }), new RegExp(`^no account with login "${ghost}"$`));
        for (const args of [{}, { login: 42 }, { login: '' }, { login: null }, { login: ['a'] }]) {
          assertToolError(await mcp.call(name, args), /Invalid arguments/);
        }
      }
      assert.equal(mcp.stderr(), stderrBefore, 'a failure writes no event and no log');
      assert.equal((await mcp.call('find_account', { login: user.login })).isError, undefined);
      assert.equal((await me(user.token)).status, 200);
      assert.deepEqual(protocolErrors, [], 'stdout carried only the protocol');
    },
  );
});
