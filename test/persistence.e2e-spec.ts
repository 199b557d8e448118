import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { hashToken } from '../src/tokens/token-secret';
import { startApp, type RunningApp } from './support/app';
import { eachEngine, type TestDatabase } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';

const TEST_TIMEOUT = { timeout: 90_000 };

/** Starts an app, runs `body` against it, and closes it whatever happens. */
async function withApp<T>(
  db: TestDatabase,
  env: Parameters<typeof startApp>[1],
  body: (api: ReturnType<typeof client>, running: RunningApp) => Promise<T>,
): Promise<T> {
  const running = await startApp(db, env);
  try {
    return await body(
      client(() => running.url),
      running,
    );
  } finally {
    await running.close();
  }
}

/** Polls `probe` every `everyMs` until it returns true or `withinMs` has passed. */
async function eventually(probe: () => Promise<boolean>, withinMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

const me = (api: ReturnType<typeof client>, token: string) => api.get('/api/auth/me', { Authentication: token });

eachEngine(__filename, (db) => {
  const storedHash = async (login: string): Promise<string> => {
    const rows = (await db().sql('SELECT password_hash FROM accounts WHERE login = ?', [login])) as {
      password_hash: string;
    }[];
    assert.equal(rows.length, 1, `one account row for ${login}`);
    return rows[0].password_hash;
  };
  const tokenRows = async (token: string): Promise<number> =>
    (await db().sql('SELECT id FROM tokens WHERE token_hash = ?', [hashToken(token)])).length;
  const countRows = async (table: 'accounts' | 'tokens'): Promise<number> => {
    const [row] = (await db().sql(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number | string }[];
    return Number(row.n);
  };

  it(
    'keeps accounts and unexpired tokens across a restart, and revoked tokens stay refused',
    TEST_TIMEOUT,
    async () => {
      const classic = { login: uniqueLogin('Restart'), password: 'classic-secret' };
      const bird = { handle: uniqueLogin('RestartBird'), password: 'bird-secret' };
      const before = await withApp(db(), {}, async (api) => {
        assert.equal((await api.post('/register', classic)).status, 200);
        const classicToken = (await api.post('/auth', classic)).body.token as string;
        const birdToken = (await api.post('/api/auth/register', { handle: bird.handle, pwd: b64(bird.password) })).body
          .token as string;
        const birdLogin = (await api.post('/api/auth/login', { handle: bird.handle, pwd: b64(bird.password) })).body
          .token as string;
        const revoked = (await api.post('/auth', { login: bird.handle, password: bird.password })).body.token as string;
        for (const token of [classicToken, birdToken, birdLogin, revoked])
          assert.equal((await me(api, token)).status, 200);
        const out = await api.post('/api/auth/invalidate', { token: revoked }, { Authentication: birdToken });
        assert.equal(out.status, 200);
        assert.equal((await me(api, revoked)).status, 401);
        const classicMe = (await me(api, classicToken)).body;
        return {
          classicToken,
          birdToken,
          birdLogin,
          revoked,
          classicMe,
          accounts: await countRows('accounts'),
          tokens: await countRows('tokens'),
        };
      });

      await withApp(db(), {}, async (api) => {
        assert.equal(await countRows('accounts'), before.accounts);
        assert.equal(await countRows('tokens'), before.tokens);
        const classicMe = await me(api, before.classicToken);
        assert.equal(classicMe.status, 200);
        assert.deepEqual(classicMe.body, before.classicMe);
        assert.equal(classicMe.body.handle, classic.login);
        for (const token of [before.birdToken, before.birdLogin]) {
          const reply = await me(api, token);
          assert.equal(reply.status, 200);
          assert.equal(reply.body.handle, bird.handle);
        }
        const refused = await me(api, before.revoked);
        assert.equal(refused.status, 401);
        assert.deepEqual([refused.body.status, refused.body.error], ['error', 'Unauthorized']);
        // Both accounts still sign in, through both dialects.
        for (const [login, password] of [
          [classic.login, classic.password],
          [bird.handle, bird.password],
        ]) {
          const viaClassic = await api.post('/auth', { login, password });
          assert.equal(viaClassic.status, 200, login);
          const viaBird = await api.post('/api/auth/login', { handle: login, pwd: b64(password) });
          assert.equal(viaBird.status, 200, login);
          assert.equal((await me(api, viaBird.body.token)).body.handle, login);
          assert.equal((await api.post('/auth', { login, password: `${password}x` })).status, 401);
        }
        // The revoked token can still not be revoked by anyone, nor used to revoke.
        assert.equal(
          (await api.post('/api/auth/invalidate', { token: before.birdLogin }, { Authentication: before.revoked }))
            .status,
          401,
        );
        assert.equal((await me(api, before.birdLogin)).status, 200);
      });
    },
  );

  it('refuses a token once TOKEN_TTL has passed, and the sweeper deletes its row', TEST_TIMEOUT, async () => {
    const TTL_MS = 2000;
    // A token from an app with the default 30-day lifetime: the sweeper must leave it alone.
    const longLived = await withApp(db(), {}, (api) => api.account(uniqueLogin('LongLived')));

    await withApp(db(), { TOKEN_TTL: '2s', TOKEN_SWEEP_INTERVAL: '0.2s' }, async (api) => {
      const login = uniqueLogin('Short');
      const issuedAfter = Date.now();
      const reg = await api.post('/api/auth/register', { handle: login, pwd: b64('secret12') });
      assert.equal(reg.status, 200);
      const token = reg.body.token as string;
      const [row] = (await db().sql('SELECT created_at, expires_at FROM tokens WHERE token_hash = ?', [
        hashToken(token),
      ])) as {
        created_at: number | string;
        expires_at: number | string;
      }[];
      assert.equal(Number(row.expires_at) - Number(row.created_at), TTL_MS);

      // While it is surely alive it is accepted (on a slow machine this window may be missed).
      const early = await me(api, token);
      if (Date.now() < issuedAfter + TTL_MS) assert.equal(early.status, 200);

      let refusedAt = 0;
      let lastStatus = 0;
      const died = await eventually(async () => {
        const reply = await me(api, token);
        lastStatus = reply.status;
        if (reply.status === 401) {
          refusedAt = Date.now();
          assert.deepEqual([reply.body.status, reply.body.error], ['error', 'Unauthorized']);
          return true;
        }
        assert.equal(reply.status, 200);
        return false;
      }, TTL_MS + 10_000);
      assert.ok(died, `still ${lastStatus} ${TTL_MS + 10_000} ms after the TTL`);
      assert.ok(refusedAt >= issuedAfter + TTL_MS, `refused ${issuedAfter + TTL_MS - refusedAt} ms before it expired`);

      // Refused everywhere: it cannot revoke, and the classic sign-in still works for a new token.
      assert.equal((await api.post('/api/auth/invalidate', { token }, { Authentication: token })).status, 401);
      const fresh = await api.post('/auth', { login, password: 'secret12' });
      assert.equal(fresh.status, 200);
      assert.equal((await me(api, fresh.body.token)).status, 200);

      const swept = await eventually(async () => (await tokenRows(token)) === 0, 10_000);
      assert.ok(swept, 'the expired row is still in the tokens table');
      assert.equal(await tokenRows(longLived.token), 1, 'an unexpired token was swept');
      assert.equal((await me(api, longLived.token)).status, 200);
      assert.equal((await db().sql('SELECT id FROM accounts WHERE login = ?', [login])).length, 1, 'the account stays');
    });
  });

  it('stores neither a password, nor its Base64, nor a token, in any form the dump shows', TEST_TIMEOUT, async () => {
    const long = `Long-${process.pid}-Qz7vXw`.padEnd(90, 'K') + '-tail-9Jd'; // 99 bytes
    const accounts = [
      { login: uniqueLogin('DumpClassic'), password: `Plain-${process.pid}-Hq3mZr8` },
      { login: uniqueLogin('DumpBird'), password: `Bird-${process.pid}-Vx2nPl5` },
      { login: uniqueLogin('DumpLong'), password: long },
      { login: uniqueLogin('DumpUtf'), password: `Zażółć-${process.pid}-gęślą-jaźń` },
    ];
    const tokens: string[] = [];
    await withApp(db(), {}, async (api) => {
      for (const [i, { login, password }] of accounts.entries()) {
        if (i % 2 === 0) {
          assert.equal((await api.post('/register', { login, password })).status, 200);
        } else {
          const reg = await api.post('/api/auth/register', { handle: login, pwd: b64(password) });
          assert.equal(reg.status, 200);
          tokens.push(reg.body.token);
        }
        const classic = await api.post('/auth', { login, password });
        assert.equal(classic.status, 200);
        const bird = await api.post('/api/auth/login', { handle: login, pwd: b64(password) });
        assert.equal(bird.status, 200);
        tokens.push(classic.body.token, bird.body.token);
        assert.equal((await me(api, bird.body.token)).status, 200);
      }
      // A revoked token must not be left behind in plain text either.
      assert.equal(
        (await api.post('/api/auth/invalidate', { token: tokens[0] }, { Authentication: tokens[1] })).status,
        200,
      );
    });

    const dump = await db().dump();
    // The dump does show the rows: each login, and each live token by its hash.
    for (const { login } of accounts) assert.ok(dump.includes(login), `the dump lacks ${login}`);
    for (const token of tokens.slice(1)) assert.ok(dump.includes(hashToken(token)), 'the dump lacks a token hash');

    const forbidden: [string, string][] = [];
    for (const { password } of accounts) {
      const utf8 = Buffer.from(password, 'utf8');
      forbidden.push(
        ['password', password],
        ['password as raw bytes', utf8.toString('latin1')],
        ['start of the password', password.slice(0, 16)],
        ['Base64 password', utf8.toString('base64')],
        ['unpadded Base64 password', utf8.toString('base64').replace(/=+$/, '')],
        ['Base64url password', utf8.toString('base64url')],
        ['hex password', utf8.toString('hex')],
      );
    }
    for (const token of tokens) {
      const raw = Buffer.from(token, 'base64url');
      forbidden.push(
        ['token', token],
        ['token bytes as hex', raw.toString('hex')],
        ['token bytes as Base64', raw.toString('base64').replace(/=+$/, '')],
      );
    }
    for (const [what, text] of forbidden) {
      assert.ok(
        !dump.includes(text) && !dump.toLowerCase().includes(text.toLowerCase()),
        `the dump contains a ${what}`,
      );
    }
  });

  it(
    're-hashes a password made at a lower cost on the next successful sign-in, and only then',
    TEST_TIMEOUT,
    async () => {
      const classic = { login: uniqueLogin('Upgrade'), password: 'upgrade-secret' };
      const bird = { handle: uniqueLogin('UpgradeBird'), password: 'p'.repeat(80) + 'upgrade' };
      await withApp(db(), { BCRYPT_COST: '4' }, async (api) => {
        assert.equal((await api.post('/register', classic)).status, 200);
        assert.equal(
          (await api.post('/api/auth/register', { handle: bird.handle, pwd: b64(bird.password) })).status,
          200,
        );
      });
      const cost = (hash: string) => /^bcrypt-sha256\$\$2[ab]\$(\d\d)\$/.exec(hash)?.[1];
      const original = { classic: await storedHash(classic.login), bird: await storedHash(bird.handle) };
      assert.equal(cost(original.classic), '04');
      assert.equal(cost(original.bird), '04');

      await withApp(db(), { BCRYPT_COST: '5' }, async (api) => {
        // Failed sign-ins do not touch the hash.
        assert.equal((await api.post('/auth', { login: classic.login, password: 'wrong-password' })).status, 401);
        assert.equal(
          (await api.post('/api/auth/login', { handle: bird.handle, pwd: b64('p'.repeat(80) + 'upgradX') })).status,
          401,
        );
        assert.equal(await storedHash(classic.login), original.classic);
        assert.equal(await storedHash(bird.handle), original.bird);

        assert.equal((await api.post('/auth', classic)).status, 200);
        assert.equal((await api.post('/api/auth/login', { handle: bird.handle, pwd: b64(bird.password) })).status, 200);
        const upgraded = { classic: await storedHash(classic.login), bird: await storedHash(bird.handle) };
        assert.equal(cost(upgraded.classic), '05');
        assert.equal(cost(upgraded.bird), '05');

        // The new hash holds the same password, every byte of it, and is not replaced again.
        assert.equal(
          (await api.post('/api/auth/login', { handle: classic.login, pwd: b64(classic.password) })).status,
          200,
        );
        assert.equal((await api.post('/auth', { login: bird.handle, password: bird.password })).status, 200);
        assert.equal(
          (await api.post('/auth', { login: bird.handle, password: 'p'.repeat(80) + 'upgradX' })).status,
          401,
        );
        assert.equal((await api.post('/auth', { login: classic.login, password: 'wrong-password' })).status, 401);
        assert.equal(await storedHash(classic.login), upgraded.classic);
        assert.equal(await storedHash(bird.handle), upgraded.bird);
      });

      // A lower configured cost never downgrades a stored hash.
      await withApp(db(), { BCRYPT_COST: '4' }, async (api) => {
        const hash = await storedHash(classic.login);
        assert.equal((await api.post('/auth', classic)).status, 200);
        assert.equal(await storedHash(classic.login), hash);
      });
    },
  );
});
