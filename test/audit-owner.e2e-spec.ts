import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import { appPerSuite } from './support/app';
import { assertFailed, assertSucceeded, runCli } from './support/cli';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';
import { type OwnerMcp, startOwnerMcp, textOf } from './support/mcp';
import { closeSockets, openSocket } from './support/sockets';

/**
 * The audit log from the owner's side (CONTRACT section 20): the events of the owner's own
 * operations stored with `via`, `events` on the command line and `list_events` on the MCP
 * server, and an owner's event reaching the account's sockets without Redis.
 */
const TEST_TIMEOUT = { timeout: 90_000 };
/** The server's TOKEN_SWEEP_INTERVAL: without Redis, an owner's event reaches the sockets within it. */
const SWEEP_MS = 1_000;

type Line = Record<string, unknown> & { id: string; event: string; at: string };

/** stdout of `events`: one JSON object a line. */
const linesOf = (stdout: string): Line[] =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);

/** The next `security` event of the socket, with when it came (performance.now()), or null after ms. */
function nextSecurity(socket: Socket, ms: number): Promise<{ payload: Record<string, unknown>; at: number } | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('security', got);
      resolve(null);
    }, ms);
    const got = (payload: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve({ payload, at: performance.now() });
    };
    socket.once('security', got);
  });
}

eachEngine(__filename, (db) => {
  const running = appPerSuite(db, { TOKEN_SWEEP_INTERVAL: `${SWEEP_MS / 1000}s` });
  const api = client(() => running().url);
  const cli = (...args: string[]) => runCli(args, { DATABASE_URL: db().url, BCRYPT_COST: '4' });
  let mcp: OwnerMcp;
  before(async () => {
    mcp = await startOwnerMcp({ DATABASE_URL: db().url });
  });
  after(async () => {
    closeSockets();
    await mcp?.close();
  });

  it(
    "stores the owner's operations with via, and lists them newest first with events and list_events",
    TEST_TIMEOUT,
    async () => {
      const user = await api.account(uniqueLogin('Owned'));
      const bystander = await api.account(uniqueLogin('By'));
      const issued = await mcp.call('issue_recovery_code', { login: user.login });
      const recoveryCode = (issued.structuredContent as { code: string }).code;
      assert.equal((await mcp.call('lock_account', { login: user.login })).isError, undefined);
      assert.equal((await mcp.call('unlock_account', { login: user.login })).isError, undefined);
      const redeemed = await api.post('/api/auth/recover', {
        handle: user.login,
        code: recoveryCode,
        newPwd: b64('recovered-password'),
      });
      assert.equal(redeemed.status, 200);
      assertSucceeded(await cli('revoke-tokens', user.login));

      const run = await cli('events', user.login.toUpperCase());
      assertSucceeded(run);
      const lines = linesOf(run.stdout);
      const [row] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [user.login])) as { id: number }[];
      for (const line of lines) {
        assert.equal(line.accountId, Number(row.id));
        assert.equal(line.login, user.login);
        assert.match(line.id, /^[A-Za-z0-9_-]{22}$/);
        assert.deepEqual(Object.keys(line).slice(0, 6), ['id', 'event', 'accountId', 'login', 'address', 'at']);
      }
      for (let i = 1; i < lines.length; i++) assert.ok(Date.parse(lines[i - 1].at) >= Date.parse(lines[i].at));
      const brief = (line: Line) =>
        JSON.stringify([line.event, line.cause ?? null, line.via ?? null, line.address !== null]);
      assert.deepEqual(
        lines.map(brief).sort(),
        [
          ['account.locked', null, 'mcp', false],
          ['account.registered', null, null, true],
          ['account.unlocked', null, 'mcp', false],
          ['password.changed', null, null, true],
          ['recovery-code.issued', null, 'mcp', false],
          ['recovery-code.redeemed', null, null, true],
          ['sign-in.succeeded', null, null, true],
          ['token.revoked', 'lock', 'mcp', false],
          ['token.revoked', 'owner', 'cli', false],
        ]
          .map((fields) => JSON.stringify(fields))
          .sort(),
      );
      // Filters, and every event of every account without a login.
      const filtered = await cli('events', user.login, '--event', 'token.revoked', '--limit', '2', '--since', '1h');
      assertSucceeded(filtered);
      assert.deepEqual(
        linesOf(filtered.stdout).map((line) => [line.cause, line.via]),
        [
          ['owner', 'cli'],
          ['lock', 'mcp'],
        ],
      );
      const everyone = linesOf((await cli('events', '--limit', '10000')).stdout);
      assert.ok(everyone.some((line) => line.login === bystander.login));
      assert.ok(everyone.some((line) => line.login === user.login));

      // The same from an MCP client, as structured content.
      const listed = await mcp.call('list_events', { login: user.login, event: 'token.revoked', limit: 2 });
      assert.equal(listed.isError, undefined, textOf(listed));
      assert.deepEqual(
        (listed.structuredContent as { events: Line[] }).events.map((line) => [line.cause, line.via ?? null]),
        [
          ['owner', 'cli'],
          ['lock', 'mcp'],
        ],
      );
      assert.deepEqual(
        textOf(listed)
          .split('\n')
          .map((line) => (JSON.parse(line) as Line).id),
        (listed.structuredContent as { events: Line[] }).events.map((line) => line.id),
      );
      const none = await mcp.call('list_events', { login: user.login, event: 'no.such-event' });
      assert.equal(textOf(none), 'no events');
      for (const [args, reason] of [
        [{ since: 'yesterday' }, /^since must be/],
        [{ limit: 0 }, /^limit must be/],
        [{ event: 'DROP TABLE' }, /^event must be/],
        [{ login: uniqueLogin('ghost') }, /^no account with login/],
      ] as const) {
        const refused = await mcp.call('list_events', args);
        assert.equal(refused.isError, true, JSON.stringify(args));
        assert.match(textOf(refused), reason);
      }
    },
  );

  it(
    'prints stored control characters escaped, and refuses bad arguments and unknown logins with one line',
    TEST_TIMEOUT,
    async () => {
      const user = await api.account(uniqueLogin('Esc'));
      const [row] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [user.login])) as { id: number }[];
      await db().sql(
        'INSERT INTO security_events (id, event, account_id, login, address, client, at, via, details) VALUES (?, ?, ?, ?, NULL, NULL, ?, NULL, ?)',
        [
          randomBytes(16).toString('base64url'),
          'note.published',
          row.id,
          'evil\u001b[2J\u009b31m\u202e',
          Date.now() - 60_000,
          JSON.stringify({ text: 'line\nbreak\u0007' }),
        ],
      );
      const run = await cli('events', user.login, '--event', 'note.published');
      assertSucceeded(run);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(run.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
      assert.equal(run.stdout.split('\n').length, 2, 'one line');
      assert.match(run.stdout, /evil\\u001b\[2J\\u009b31m\\u202e/);

      assertFailed(await cli('events', uniqueLogin('ghost')), /^gatehouse: no account with login/, 1);
      assertFailed(await cli('events', '--since', 'last week', '--limit', '10'), /since must be/, 2);
    },
  );

  it(
    "sends an owner's event to the account's sockets within TOKEN_SWEEP_INTERVAL without Redis",
    TEST_TIMEOUT,
    async () => {
      const user = await api.account(uniqueLogin('Live'));
      const stranger = await api.account(uniqueLogin('Other'));
      const socket = await openSocket(running().url, user.token);
      const other = await openSocket(running().url, stranger.token);
      const heard = nextSecurity(socket, 15_000);
      const overheard = nextSecurity(other, 3 * SWEEP_MS);
      const run = await cli('recovery-code', user.login);
      assertSucceeded(run);
      const got = await heard;
      assert.ok(got, 'no security event');
      assert.equal(got.payload.event, 'recovery-code.issued');
      assert.deepEqual(Object.keys(got.payload).sort(), ['address', 'at', 'client', 'event']);
      // Within the interval (the poll runs every half of it), with room for a loaded machine, as the
      // MCP spec allows a revocation's socket drop.
      assert.ok(got.at - run.endedAt < SWEEP_MS + 1_500, `${Math.round(got.at - run.endedAt)} ms after the command`);
      assert.equal(await overheard, null, "another account's socket heard it");
      // Sent once, not again by later polls.
      assert.equal(await nextSecurity(socket, 2 * SWEEP_MS), null);
    },
  );
});
