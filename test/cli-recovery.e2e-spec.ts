import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { SecurityEvent } from '../src/events/security-event';
import { appPerSuite } from './support/app';
import { assertFailed, assertSucceeded, runCli } from './support/cli';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';
import { closeSockets, dropped, openSocket } from './support/sockets';

const TEST_TIMEOUT = { timeout: 60_000 };
/** Sixteen command runs of a couple of seconds each: room for a loaded machine. */
const MANY_COMMANDS_TIMEOUT = { timeout: 180_000 };
/** The running server's sweep: how soon sockets of tokens revoked elsewhere are dropped. */
const SWEEP_MS = 300;
/** Waiting for a drop starts before the command, which takes a second or more to run. */
const DROP_WAIT_MS = 20_000;
/** The sweep's period, and a margin for a loaded machine. */
const DROP_DEADLINE_MS = SWEEP_MS + 1500;
const HOUR = 3600_000;

/** The events' shape without their time, for comparison. */
const brief = (events: SecurityEvent[]) =>
  events.map(({ event, login, cause, count, via }) => ({ event, login, via, ...(cause ? { cause, count } : {}) }));

describe('recovery commands without a usable database', () => {
  it('fail fast with one line, and --help lists them', TEST_TIMEOUT, async () => {
    const env = { BCRYPT_COST: '4', DATABASE_URL: 'mysql://root@127.0.0.1:1/x' };
    for (const command of ['recovery-code', 'lock', 'unlock', 'delete-account']) {
      assertFailed(await runCli([command, 'alice'], env), /database unavailable/, 1);
    }
    const help = await runCli(['--help'], env);
    assertSucceeded(help);
    for (const text of ['recovery-code <login>', 'lock <login>', 'unlock <login>', 'delete-account <login>']) {
      assert.ok(help.stdout.includes(text), `help lacks ${text}`);
    }
  });
});

eachEngine(__filename, (db) => {
  const running = appPerSuite(db, { TOKEN_SWEEP_INTERVAL: `${SWEEP_MS / 1000}s` });
  const api = client(() => running().url);
  const cli = (...args: string[]) => runCli(args, { DATABASE_URL: db().url, BCRYPT_COST: '4' });

  afterEach(closeSockets);

  const me = (token: string) => api.get('/api/auth/me', { Authentication: token });
  const recover = (handle: string, code: string, password: string) =>
    api.post('/api/auth/recover', { handle, code, newPwd: b64(password) });

  async function account() {
    const user = await api.account(uniqueLogin('Owned'));
    const [row] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [user.login])) as { id: number }[];
    const socket = await openSocket(running().url, user.token);
    return { ...user, id: Number(row.id), socket };
  }

  /** Polls until REST refuses the token (the command ran in another process: within a second). */
  async function refusedSoon(token: string): Promise<void> {
    for (let i = 0; (await me(token)).status !== 401; i++) {
      assert.ok(i < 30, 'token still accepted');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function snapshot(): Promise<string> {
    const accounts = await db().sql('SELECT id, login, password_hash, locked_at FROM accounts ORDER BY id');
    const tokens = await db().sql('SELECT id, token_hash, account_id, expires_at FROM tokens ORDER BY id');
    const codes = await db().sql('SELECT * FROM recovery_codes ORDER BY account_id');
    return JSON.stringify({ accounts, tokens, codes });
  }

  it(
    'recovery-code prints a code that the user redeems, stores only its hash, and changes nothing else',
    TEST_TIMEOUT,
    async () => {
      const user = await account();
      const before = await snapshot();
      const run = await cli('recovery-code', user.login.toLowerCase());
      const events = assertSucceeded(run);
      const [first, second] = run.stdout.split('\n');
      const code = /^recovery code of (\S+): ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){5})$/.exec(first);
      assert.ok(code, first);
      assert.equal(code[1], user.login);
      const expires = Date.parse(/^single use, valid until (\S+)$/.exec(second)?.[1] ?? '');
      assert.ok(Math.abs(expires - (Date.now() + HOUR)) < 30_000, second);
      assert.deepEqual(brief(events), [{ event: 'recovery-code.issued', login: user.login, via: 'cli' }]);
      assert.equal(events[0].accountId, user.id);
      assert.ok(!run.stderr.includes(code[2]) && !run.stderr.includes(code[2].replace(/-/g, '')));

      // Only the hash is stored; the tokens and password are as they were.
      const dump = await db().dump();
      assert.ok(!dump.includes(code[2]) && !dump.includes(code[2].replace(/-/g, '')));
      const after = JSON.parse(await snapshot());
      assert.deepEqual({ ...after, codes: [] }, { ...JSON.parse(before), codes: [] });
      assert.equal(after.codes.length, 1);
      assert.equal((await me(user.token)).status, 200);

      // A second code replaces the first.
      const again = await cli('recovery-code', user.login);
      assertSucceeded(again);
      const replacement = /: (\S+)$/.exec(again.stdout.split('\n')[0])![1];
      assert.notEqual(replacement, code[2]);
      assert.equal((await recover(user.login, code[2], 'the first code')).status, 401);
      const drop = dropped(user.socket, 2000);
      const redeemed = await recover(user.login, replacement, 'my own new password');
      assert.equal(redeemed.status, 200);
      await drop;
      assert.equal((await api.post('/auth', { login: user.login, password: 'my own new password' })).status, 200);
    },
  );

  it('recovery-code fixes the lifetime from the RECOVERY_CODE_TTL of the issuing process', TEST_TIMEOUT, async () => {
    const user = await account();
    const run = await runCli(['recovery-code', user.login], { DATABASE_URL: db().url, RECOVERY_CODE_TTL: '90m' });
    assertSucceeded(run);
    const [row] = (await db().sql('SELECT created_at, expires_at FROM recovery_codes WHERE account_id = ?', [
      user.id,
    ])) as {
      created_at: number;
      expires_at: number;
    }[];
    assert.equal(Number(row.expires_at) - Number(row.created_at), 90 * 60_000);
    const bad = await runCli(['recovery-code', user.login], { DATABASE_URL: db().url, RECOVERY_CODE_TTL: 'soon' });
    assertFailed(bad, /invalid configuration: RECOVERY_CODE_TTL/, 2);
  });

  it(
    'lock revokes every token, drops sockets, answers 403 to the right password in both dialects, until unlock',
    TEST_TIMEOUT,
    async () => {
      const user = await account();
      const issued = await cli('recovery-code', user.login);
      const code = /: (\S+)$/.exec(issued.stdout.split('\n')[0])![1];
      const drop = dropped(user.socket, DROP_WAIT_MS);
      const run = await cli('lock', user.login);
      const events = assertSucceeded(run);
      assert.equal(run.stdout, `${user.login} locked; 1 token revoked\n`);
      assert.deepEqual(brief(events), [
        { event: 'account.locked', login: user.login, via: 'cli' },
        { event: 'token.revoked', login: user.login, via: 'cli', cause: 'lock', count: 1 },
      ]);
      await refusedSoon(user.token);
      const ending = await drop;
      assert.deepEqual(ending.revoked, { reason: 'revoked' }, ending.reason);
      assert.ok(
        ending.at - run.endedAt < DROP_DEADLINE_MS,
        `dropped ${Math.round(ending.at - run.endedAt)} ms after the command`,
      );

      const classic = await api.post('/auth', { login: user.login, password: user.password });
      assert.equal(classic.status, 403);
      assert.equal(classic.body.error, 'Forbidden');
      assert.equal(classic.body.status, undefined);
      assert.match(classic.body.message, /locked/);
      const birdhouse = await api.post('/api/auth/login', { handle: user.login, pwd: b64(user.password) });
      assert.equal(birdhouse.status, 403);
      assert.deepEqual([birdhouse.body.status, birdhouse.body.error], ['error', 'Forbidden']);
      assert.equal((await api.post('/auth', { login: user.login, password: 'wrong password' })).status, 401);
      // Recovery is refused too, but the code is kept.
      assert.equal((await recover(user.login, code, 'while locked')).status, 403);

      const twice = await cli('lock', user.login);
      assert.deepEqual(assertSucceeded(twice), []);
      assert.equal(twice.stdout, `${user.login} was already locked; 0 tokens revoked\n`);

      const unlocked = await cli('unlock', user.login);
      assert.deepEqual(brief(assertSucceeded(unlocked)), [
        { event: 'account.unlocked', login: user.login, via: 'cli' },
      ]);
      assert.equal(unlocked.stdout, `${user.login} unlocked\n`);
      assert.equal((await api.post('/auth', { login: user.login, password: user.password })).status, 200);
      assert.equal((await recover(user.login, code, 'after unlocking')).status, 200);
      const again = await cli('unlock', user.login);
      assert.deepEqual(assertSucceeded(again), []);
      assert.equal(again.stdout, `${user.login} was not locked\n`);
    },
  );

  it(
    'delete-account deletes the account, its tokens and its code, drops its sockets, and frees the login',
    TEST_TIMEOUT,
    async () => {
      const user = await account();
      const bystander = await account();
      assertSucceeded(await cli('recovery-code', user.login));
      const drop = dropped(user.socket, DROP_WAIT_MS);
      const run = await cli('delete-account', user.login.toUpperCase());
      const events = assertSucceeded(run);
      assert.equal(run.stdout, `account ${user.login} deleted; 1 token revoked\n`);
      assert.deepEqual(brief(events), [
        { event: 'token.revoked', login: user.login, via: 'cli', cause: 'deletion', count: 1 },
        { event: 'account.deleted', login: user.login, via: 'cli' },
      ]);
      await refusedSoon(user.token);
      const ending = await drop;
      assert.deepEqual(ending.revoked, { reason: 'revoked' }, ending.reason);
      assert.ok(
        ending.at - run.endedAt < DROP_DEADLINE_MS,
        `dropped ${Math.round(ending.at - run.endedAt)} ms after the command`,
      );
      for (const table of [
        'accounts WHERE id = ?',
        'tokens WHERE account_id = ?',
        'recovery_codes WHERE account_id = ?',
      ]) {
        assert.equal((await db().sql(`SELECT * FROM ${table}`, [user.id])).length, 0, table);
      }
      assert.equal((await me(bystander.token)).status, 200);
      assertFailed(await cli('sessions', user.login), /no account with login/, 1);
      // The login can be registered again, by anyone, as a new account.
      assert.equal((await api.post('/register', { login: user.login, password: 'a new owner' })).status, 200);
      assert.equal((await api.post('/auth', { login: user.login, password: user.password })).status, 401);
    },
  );

  it('reset-password and revoke-tokens record their changes as events', TEST_TIMEOUT, async () => {
    const user = await account();
    const reset = await cli('reset-password', user.login);
    assert.deepEqual(brief(assertSucceeded(reset)), [
      { event: 'token.revoked', login: user.login, via: 'cli', cause: 'owner', count: 1 },
      { event: 'password.changed', login: user.login, via: 'cli' },
    ]);
    const password = /new password: (\S+)/.exec(reset.stdout)![1];
    assert.ok(!reset.stderr.includes(password));
    const token = (await api.post('/auth', { login: user.login, password })).body.token as string;
    const revoke = await cli('revoke-tokens', user.login);
    assert.deepEqual(brief(assertSucceeded(revoke)), [
      { event: 'token.revoked', login: user.login, via: 'cli', cause: 'owner', count: 1 },
    ]);
    assert.ok(!revoke.stderr.includes(token));
    // Nothing to revoke: nothing changed, no event.
    assert.deepEqual(assertSucceeded(await cli('revoke-tokens', user.login)), []);
  });

  it(
    'an unknown login or bad arguments fail with one line, change nothing and write no event',
    MANY_COMMANDS_TIMEOUT,
    async () => {
      await account();
      const unchanged = await snapshot();
      const ghost = uniqueLogin('ghost');
      for (const command of ['recovery-code', 'lock', 'unlock', 'delete-account']) {
        assertFailed(await cli(command, ghost), new RegExp(`no account with login "${ghost}"`), 1);
        assertFailed(await cli(command), /missing required argument 'login'/, 2);
        assertFailed(await cli(command, ghost, 'extra'), /too many arguments/, 2);
        assertFailed(await cli(command, ''), /login must not be empty/, 2);
      }
      assert.equal(await snapshot(), unchanged);
    },
  );
});
