import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { appPerSuite } from './support/app';
import { isPrintable } from '../src/tokens/printable';
import { assertFailed, assertSucceeded, runCli } from './support/cli';
import { eachEngine, failingTrigger } from './support/engines';
import { client, uniqueLogin } from './support/http';

/** The contract: a revocation made elsewhere is refused by REST within one second. */
const REFUSAL_DEADLINE_MS = 1000;
const TEST_TIMEOUT = { timeout: 60_000 };

describe('without a usable database', () => {
  const base = { BCRYPT_COST: '4' };

  it('--help lists every command with its arguments and exits 0', TEST_TIMEOUT, async () => {
    const run = await runCli(['--help'], { ...base, DATABASE_URL: 'mysql://root@127.0.0.1:1/x' });
    assertSucceeded(run);
    for (const text of ['reset-password <login> [--password <new>]', 'revoke-tokens <login>', 'sessions <login>']) {
      assert.ok(run.stdout.includes(text), `help lacks ${text}:\n${run.stdout}`);
    }
  });

  it('fails fast, with one line, when the database cannot be reached', TEST_TIMEOUT, async () => {
    for (const command of [
      ['reset-password', 'alice'],
      ['revoke-tokens', 'alice'],
      ['sessions', 'alice'],
    ]) {
      const run = await runCli(command, { ...base, DATABASE_URL: 'mysql://root@127.0.0.1:1/x' });
      assertFailed(run, /database unavailable/, 1);
      assert.ok(run.ms < 8000, `took ${Math.round(run.ms)} ms`);
    }
  });

  it('fails with one line when the SQLite file cannot be created', TEST_TIMEOUT, async () => {
    const run = await runCli(['revoke-tokens', 'alice'], {
      ...base,
      DATABASE_URL: 'sqlite:/dev/null/x/gatehouse.sqlite',
    });
    assertFailed(run, /ENOTDIR|not a directory/, 1);
  });

  it('refuses a bad configuration value with one line', TEST_TIMEOUT, async () => {
    const run = await runCli(['revoke-tokens', 'alice'], {
      DATABASE_URL: 'sqlite:/tmp/unused.sqlite',
      BCRYPT_COST: '99',
    });
    assertFailed(run, /^gatehouse: invalid configuration: BCRYPT_COST/, 2);
    const url = await runCli(['revoke-tokens', 'alice'], { DATABASE_URL: 'postgres://u:hunter2@h' });
    assertFailed(url, /invalid configuration: DATABASE_URL/, 2);
    assert.doesNotMatch(url.stderr, /hunter2/);
  });
});

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);
  const cli = (...args: string[]) => runCli(args, { DATABASE_URL: db().url, BCRYPT_COST: '4' });

  const me = (token: string) => api.get('/api/auth/me', { Authentication: token });
  const signIn = (login: string, password: string) => api.post('/auth', { login, password });

  async function accountWithTokens(tokens: number, password = 'secret-password') {
    const account = await api.account(uniqueLogin('Owner'), password);
    const all = [account.token];
    for (let i = 1; i < tokens; i++) {
      const auth = await signIn(account.login, password);
      assert.equal(auth.status, 200);
      all.push(auth.body.token);
    }
    const [row] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [account.login])) as { id: number }[];
    return { ...account, id: Number(row.id), tokens: all };
  }
  type Owner = Awaited<ReturnType<typeof accountWithTokens>>;

  /**
   * Everything a command could change. Left out: the last-used times and the expired rows,
   * which the running server updates and deletes in the background.
   */
  async function snapshot(): Promise<string> {
    const accounts = await db().sql('SELECT id, login_key, login, password_hash, created_at FROM accounts ORDER BY id');
    const tokens = await db().sql(
      'SELECT id, token_hash, account_id, created_at, expires_at FROM tokens WHERE expires_at > ? ORDER BY id',
      [Date.now() + 60_000],
    );
    return JSON.stringify({ accounts, tokens });
  }

  /** Asserts the running server accepted `token` just now, i.e. it sits in its session cache. */
  async function assertAccepted(...tokens: string[]): Promise<void> {
    for (const token of tokens) assert.equal((await me(token)).status, 200);
  }

  /** Polls REST until every token is refused; fails if one is still accepted after the deadline. */
  async function assertRefusedWithin(tokens: string[], since: number): Promise<void> {
    for (const token of tokens) {
      for (;;) {
        const reply = await me(token);
        if (reply.status === 401) break;
        assert.equal(reply.status, 200, reply.text);
        const late = performance.now() - since;
        assert.ok(late < REFUSAL_DEADLINE_MS, `token still accepted ${Math.round(late)} ms after the command ended`);
        await sleep(50);
      }
    }
  }

  /** Makes a statement fail inside the command's transaction for one account, then cleans up. */
  async function withFailingTrigger(
    kind: 'delete-tokens' | 'update-account',
    accountId: number,
    body: () => Promise<void>,
  ) {
    const name = `cli_test_${kind.replace('-', '_')}`;
    const dropTrigger =
      kind === 'delete-tokens'
        ? await failingTrigger(db(), name, 'tokens', 'DELETE', `OLD.account_id = ${accountId}`, 'boom')
        : await failingTrigger(db(), name, 'accounts', 'UPDATE', `OLD.id = ${accountId}`, 'boom');
    try {
      await body();
    } finally {
      await dropTrigger();
    }
  }

  /**
   * Runs each command while `kind` fails inside its transaction: each exits 1 with the failure,
   * and the rows, the tokens and the password stay as they were.
   */
  async function assertRolledBack(kind: 'delete-tokens' | 'update-account', owner: Owner, commands: string[][]) {
    const unchanged = await snapshot();
    await withFailingTrigger(kind, owner.id, async () => {
      for (const args of commands) assertFailed(await cli(...args), /boom/, 1);
    });
    assert.equal(await snapshot(), unchanged);
    await sleep(REFUSAL_DEADLINE_MS);
    await assertAccepted(...owner.tokens);
    assert.equal((await signIn(owner.login, owner.password)).status, 200);
  }

  it('reset-password --password sets that password and revokes every token at once', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(3);
    const bystander = await accountWithTokens(1);
    await assertAccepted(...owner.tokens, ...bystander.tokens);

    const run = await cli('reset-password', owner.login.toUpperCase(), '--password', 'brand new pässword');
    assertSucceeded(run);
    assert.equal(run.stdout, `password of ${owner.login} replaced; 3 tokens revoked\n`);
    await assertRefusedWithin(owner.tokens, run.endedAt);

    assert.equal((await signIn(owner.login, owner.password)).status, 401);
    const fresh = await signIn(owner.login, 'brand new pässword');
    assert.equal(fresh.status, 200);
    assert.equal((await me(fresh.body.token)).status, 200);
    // Another account is untouched.
    await assertAccepted(...bystander.tokens);
    assert.equal((await signIn(bystander.login, bystander.password)).status, 200);
  });

  it('reset-password without --password prints a strong generated password, once', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(2);
    await assertAccepted(...owner.tokens);

    const run = await cli('reset-password', owner.login);
    assertSucceeded(run);
    const lines = run.stdout.split('\n');
    assert.equal(lines.length, 3, run.stdout);
    assert.equal(lines[0], `password of ${owner.login} replaced; 2 tokens revoked`);
    const match = /^new password: ([A-Za-z0-9_-]+)$/.exec(lines[1]);
    assert.ok(match, lines[1]);
    const password = match[1];
    assert.ok(password.length >= 24, password);
    assert.equal(run.stdout.split(password).length, 2, 'the password is printed exactly once');
    await assertRefusedWithin(owner.tokens, run.endedAt);

    assert.equal((await signIn(owner.login, owner.password)).status, 401);
    assert.equal((await signIn(owner.login, password)).status, 200);
    // Nothing stores the password itself.
    assert.ok(!(await db().dump()).includes(password));

    // Two resets never produce the same password.
    const again = await cli('reset-password', owner.login);
    assertSucceeded(again);
    assert.ok(!again.stdout.includes(password));
  });

  it('reset-password generates a password no shorter than PASSWORD_MIN_LENGTH', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(1);
    const run = await runCli(['reset-password', owner.login], {
      DATABASE_URL: db().url,
      BCRYPT_COST: '4',
      PASSWORD_MIN_LENGTH: '40',
    });
    assertSucceeded(run);
    const password = /new password: (\S+)/.exec(run.stdout)?.[1] ?? '';
    assert.equal(password.length, 40);
    assert.equal((await signIn(owner.login, password)).status, 200);
  });

  it(
    'reset-password refuses a password that breaks the registration rules and changes nothing',
    TEST_TIMEOUT,
    async () => {
      const owner = await accountWithTokens(2);
      const unchanged = await snapshot();
      for (const bad of ['12345', '', '😀😀😀😀😀', 'x'.repeat(1025)]) {
        const run = await cli('reset-password', owner.login, '--password', bad);
        assertFailed(run, /password must be/, 2);
      }
      assert.equal(await snapshot(), unchanged);
      await assertAccepted(...owner.tokens);
      assert.equal((await signIn(owner.login, owner.password)).status, 200);
    },
  );

  it('revoke-tokens revokes every token, says how many, and keeps the password', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(2);
    const bystander = await accountWithTokens(1);
    await assertAccepted(...owner.tokens);

    const run = await cli('revoke-tokens', owner.login.toLowerCase());
    assertSucceeded(run);
    assert.equal(run.stdout, `2 tokens of ${owner.login} revoked\n`);
    await assertRefusedWithin(owner.tokens, run.endedAt);
    await assertAccepted(...bystander.tokens);

    const again = await signIn(owner.login, owner.password);
    assert.equal(again.status, 200);
    assert.equal((await me(again.body.token)).status, 200);

    const twice = await cli('revoke-tokens', owner.login);
    assertSucceeded(twice);
    assert.equal(twice.stdout, `1 token of ${owner.login} revoked\n`);
    await assertRefusedWithin([again.body.token], twice.endedAt);
  });

  it('sessions lists the live tokens by number and dates, never the token or its hash', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(4);
    const [used, revoked, expired] = owner.tokens;
    assert.equal((await api.post('/api/auth/invalidate', { token: revoked }, { Authentication: used })).status, 200);
    const rows = (await db().sql(
      'SELECT id, public_id, token_hash, created_at, expires_at, last_used_at FROM tokens WHERE account_id = ? ORDER BY id',
      [owner.id],
    )) as {
      id: number;
      public_id: string;
      token_hash: string;
      created_at: number;
      expires_at: number;
      last_used_at: number | null;
    }[];
    assert.equal(rows.length, 3);
    const [usedRow, expiredRow, unusedRow] = rows;
    await db().sql('UPDATE tokens SET expires_at = ? WHERE id = ?', [Date.now() - 1000, expiredRow.id]);
    // The server records use off the request's path: wait (bounded) until it has.
    for (let i = 0; ; i++) {
      const [row] = (await db().sql('SELECT last_used_at FROM tokens WHERE id = ?', [usedRow.id])) as {
        last_used_at: unknown;
      }[];
      if (row.last_used_at !== null) {
        usedRow.last_used_at = Number(row.last_used_at);
        break;
      }
      assert.ok(i < 100, 'last use never recorded');
      await sleep(50);
    }

    const run = await cli('sessions', owner.login);
    assertSucceeded(run);
    const iso = (ms: unknown) => new Date(Number(ms)).toISOString();
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `${owner.login}: 2 live sessions`);
    assert.deepEqual(lines[1].split(/\s{2,}/), ['session', 'issued', 'last used', 'expires', 'client']);
    // Newest first; sessions by the public id their user sees; no client label for these.
    assert.deepEqual(lines[2].split(/\s+/), [
      unusedRow.public_id,
      iso(unusedRow.created_at),
      '-',
      iso(unusedRow.expires_at),
      '-',
    ]);
    assert.deepEqual(lines[3].split(/\s+/), [
      usedRow.public_id,
      iso(usedRow.created_at),
      iso(usedRow.last_used_at),
      iso(usedRow.expires_at),
      '-',
    ]);
    assert.equal(lines.length, 4);
    for (const secret of [...owner.tokens, ...rows.map((r) => r.token_hash)]) assert.ok(!run.stdout.includes(secret));
    assert.equal((await me(expired)).status, 401);

    const tokenless = uniqueLogin('Tokenless');
    assert.equal((await api.post('/register', { login: tokenless, password: 'secret-password' })).status, 200);
    const none = await cli('sessions', tokenless);
    assertSucceeded(none);
    assert.equal(none.stdout, `${tokenless}: 0 live sessions\n`);
  });

  it('sessions prints a stored client label with its control characters escaped', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(1);
    // What an older version (or a hand-edited database) may have stored.
    await db().sql('UPDATE tokens SET client = ? WHERE account_id = ?', [
      'Evil\u001b[2J\u202e\u0085 on Linux',
      owner.id,
    ]);
    const run = await cli('sessions', owner.login);
    assertSucceeded(run);
    assert.match(run.stdout, /Evil\\x1b\[2J\\u202e\\u0085 on Linux\n$/);
    assert.ok(isPrintable(run.stdout.replaceAll('\n', '')), JSON.stringify(run.stdout));
  });

  it('an unknown login fails with one line and changes nothing', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(1);
    const unchanged = await snapshot();
    const ghost = uniqueLogin('ghost');
    for (const command of ['reset-password', 'revoke-tokens', 'sessions']) {
      const run = await cli(command, ghost);
      assertFailed(run, new RegExp(`no account with login "${ghost}"`), 1);
    }
    const weird = await cli('revoke-tokens', 'two\nlines');
    assertFailed(weird, /no account with login "two\\nlines"/, 1);
    assert.equal(await snapshot(), unchanged);
    await assertAccepted(...owner.tokens);
  });

  it('bad arguments fail with one line and change nothing', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(1);
    const unchanged = await snapshot();
    const cases: [string[], RegExp][] = [
      [[], /missing command/],
      [['frobnicate', owner.login], /unknown command 'frobnicate'/],
      [['reset-password'], /missing required argument 'login'/],
      [['revoke-tokens'], /missing required argument 'login'/],
      [['sessions'], /missing required argument 'login'/],
      [['reset-password', owner.login, '--bogus'], /unknown option '--bogus'/],
      [['reset-password', owner.login, '--password'], /argument missing/],
      [['revoke-tokens', owner.login, 'extra'], /too many arguments/],
    ];
    for (const [args, reason] of cases) {
      const run = await cli(...args);
      assertFailed(run, reason, 2);
    }
    assert.equal(await snapshot(), unchanged);
    await assertAccepted(...owner.tokens);
    assert.equal((await signIn(owner.login, owner.password)).status, 200);
  });

  it('reset-password changes nothing when revoking the tokens fails inside its transaction', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(2);
    await assertRolledBack('delete-tokens', owner, [
      ['reset-password', owner.login, '--password', 'never-stored'],
      ['revoke-tokens', owner.login],
    ]);
    assert.equal((await signIn(owner.login, 'never-stored')).status, 401);
  });

  it(
    'reset-password changes nothing when storing the password fails inside its transaction',
    TEST_TIMEOUT,
    async () => {
      const owner = await accountWithTokens(2);
      await assertRolledBack('update-account', owner, [['reset-password', owner.login]]);
    },
  );

  it('reads DATABASE_URL from the .env of its working directory', TEST_TIMEOUT, async () => {
    const owner = await accountWithTokens(1);
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    try {
      writeFileSync(join(dir, '.env'), `DATABASE_URL=${db().url}\nBCRYPT_COST=4\n`);
      const run = await runCli(['sessions', owner.login], {}, dir);
      assertSucceeded(run);
      assert.match(run.stdout, new RegExp(`^${owner.login}: 1 live session\n`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
