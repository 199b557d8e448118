import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { appPerSuite, startApp, TEST_SECRETS_KEY } from './support/app';
import { assertSucceeded, runCli } from './support/cli';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';
import { SoftwarePasskey } from './support/passkeys';
import { assertRedisReachable, dropPrefix, REDIS_SKIP, TEST_REDIS_URL, testPrefix } from './support/redis';

const PASSWORD = 'secret-password';
const ROUTES: [string, string][] = [
  ['POST', '/api/auth/passkeys/options'],
  ['POST', '/api/auth/passkeys'],
  ['GET', '/api/auth/passkeys'],
  ['POST', '/api/auth/passkeys/remove'],
  ['POST', '/api/auth/passkey/login/options'],
  ['POST', '/api/auth/passkey/login'],
];

type Api = ReturnType<typeof client>;
const as = (token: string) => ({ Authentication: token });

/** Registers a passkey for a new account through `api`; returns the account and its authenticator. */
async function enrolPasskey(api: Api, key = new SoftwarePasskey()) {
  const user = await api.account(uniqueLogin('PkSet'), PASSWORD);
  const options = await api.post('/api/auth/passkeys/options', { pwd: b64(PASSWORD) }, as(user.token));
  assert.equal(options.status, 200, options.text);
  const added = await api.post('/api/auth/passkeys', { credential: key.create(options.body.options) }, as(user.token));
  assert.equal(added.status, 200, added.text);
  return { ...user, key };
}

/**
 * CONTRACT section 19's settings and neighbours: PASSKEYS=off, the relying party from
 * configuration, TWO_FACTOR=required satisfied by a passkey sign-in, and a challenge issued by
 * one instance redeemed on another, through the database and through Redis.
 */
eachEngine(__filename, (db) => {
  describe('PASSKEYS=off', () => {
    const running = appPerSuite(db, { PASSKEYS: 'off' });
    const api = client(() => running().url);

    it('answers 404 on the six routes and leaves them out of the OpenAPI document', async () => {
      const { token } = await api.account(uniqueLogin('Off'), PASSWORD);
      for (const [method, path] of ROUTES) {
        const reply = await api.raw(method, path, method === 'POST' ? '{}' : undefined, {
          ...as(token),
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        });
        assert.equal(reply.status, 404, `${method} ${path}`);
      }
      const paths = Object.keys((await api.get('/docs/openapi.json')).body.paths);
      assert.ok(paths.includes('/api/auth/me'));
      assert.deepEqual(
        paths.filter((p) => p.includes('passkey')),
        [],
      );
    });
  });

  describe('the relying party from configuration', () => {
    const origin = 'https://login.example.com';
    const running = appPerSuite(db, {
      PASSKEY_RP_ID: 'example.com',
      PASSKEY_RP_NAME: 'Example Sign-in',
      PASSKEY_ORIGINS: `https://example.com, ${origin}`,
    });
    const api = client(() => running().url);

    it('names it in the options and accepts responses from its origins only', async () => {
      const user = await api.account(uniqueLogin('Rp'), PASSWORD);
      const options = (await api.post('/api/auth/passkeys/options', { pwd: b64(PASSWORD) }, as(user.token))).body
        .options;
      assert.deepEqual(options.rp, { name: 'Example Sign-in', id: 'example.com' });
      const key = new SoftwarePasskey(origin, 'example.com');
      const added = await api.post('/api/auth/passkeys', { credential: key.create(options) }, as(user.token));
      assert.equal(added.status, 200, added.text);
      const login = async (bend = {}) => {
        const request = (await api.post('/api/auth/passkey/login/options', {})).body.options;
        assert.equal(request.rpId, 'example.com');
        return api.post('/api/auth/passkey/login', { credential: key.get(request, bend) });
      };
      assert.equal((await login()).status, 200);
      assert.equal((await login({ origin: 'http://localhost:3000' })).status, 401);
      assert.equal((await login({ origin: 'https://example.com' })).status, 200);
    });
  });

  describe('TWO_FACTOR=required', () => {
    const running = appPerSuite(db, { TWO_FACTOR: 'required' });
    const api = client(() => running().url);

    it('lets a restricted token register a passkey, and a passkey sign-in lifts the restriction', async () => {
      const { token, key } = await enrolPasskey(api);
      const restricted = await api.get('/api/auth/passkeys', as(token));
      assert.equal(restricted.status, 403);
      assert.equal(restricted.body.secondFactor, 'setup-required');
      const options = (await api.post('/api/auth/passkey/login/options', {})).body.options;
      const signedIn = await api.post('/api/auth/passkey/login', { credential: key.get(options) });
      assert.equal(signedIn.status, 200, signedIn.text);
      const listed = await api.get('/api/auth/passkeys', as(signedIn.body.token));
      assert.equal(listed.status, 200, listed.text);
      assert.equal(listed.body.passkeys.length, 1);
    });
  });

  describe('the per-address sign-in budget (RATE_LIMIT_PER_MINUTE)', () => {
    const running = appPerSuite(db, { RATE_LIMIT_PER_MINUTE: '4' });
    const api = client(() => running().url);

    it('counts login/options and login with password sign-ins, then answers 429 with Retry-After', async () => {
      const first = (await api.post('/api/auth/passkey/login/options', {})).body.options;
      assert.equal(
        (await api.post('/api/auth/passkey/login', { credential: new SoftwarePasskey().get(first) })).status,
        401,
      );
      assert.equal(
        (await api.post('/api/auth/login', { handle: 'nobody-here', pwd: b64('wrong-password') })).status,
        401,
      );
      assert.equal((await api.post('/api/auth/passkey/login/options', {})).status, 200);
      const limited = await api.post('/api/auth/passkey/login/options', {});
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.equal(limited.body.error, 'Too Many Requests');
      assert.equal(
        (await api.post('/api/auth/passkey/login', { credential: new SoftwarePasskey().get(first) })).status,
        429,
      );
    });
  });

  describe("the owner's tools and the account's own changes", () => {
    const running = appPerSuite(db);
    const api = client(() => running().url);
    const cli = (...args: string[]) =>
      runCli(args, { DATABASE_URL: db().url, BCRYPT_COST: '4', SECRETS_KEY: TEST_SECRETS_KEY });

    it('leave passkeys in place, except lock (refused, 403) and deletion (gone)', async () => {
      const { login, key, token } = await enrolPasskey(api);
      const signIn = async () => {
        const options = (await api.post('/api/auth/passkey/login/options', {})).body.options;
        return api.post('/api/auth/passkey/login', { credential: key.get(options) });
      };
      assert.equal((await signIn()).status, 200);
      // Stored in the audit log too, and shown to the account.
      const activity = await api.get('/api/auth/activity', { Authentication: token });
      assert.ok(
        activity.body.events.some((e: { event: string }) => e.event === 'passkey.added'),
        activity.text,
      );
      for (const command of ['revoke-tokens', 'reset-2fa', 'reset-password']) {
        assertSucceeded(await cli(command, login));
        assert.equal((await signIn()).status, 200, `after ${command}`);
      }
      const issued = await cli('recovery-code', login);
      assertSucceeded(issued);
      const code = /: (\S+)$/.exec(issued.stdout.split('\n')[0])![1];
      const recovered = await api.post('/api/auth/recover', {
        handle: login,
        code,
        newPwd: b64('recovered-password-1'),
      });
      assert.equal(recovered.status, 200, recovered.text);
      assert.equal((await signIn()).status, 200, 'after a recovery');

      assertSucceeded(await cli('lock', login));
      assert.equal((await signIn()).status, 403);
      assertSucceeded(await cli('unlock', login));
      assert.equal((await signIn()).status, 200);

      const [{ id }] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [login])) as { id: number }[];
      const count = async (table: string) =>
        Number(
          ((await db().sql(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`, [id])) as { n: number }[])[0].n,
        );
      assert.equal(await count('passkeys'), 1);
      assertSucceeded(await cli('delete-account', login));
      assert.equal((await signIn()).status, 401);
      assert.equal(await count('passkeys'), 0);
      assert.equal(await count('passkey_users'), 0);
    });
  });

  describe('two instances on one database', () => {
    const a = appPerSuite(db);
    const b = appPerSuite(db);
    const apiA = client(() => a().url);
    const apiB = client(() => b().url);

    it('redeem on one a challenge the other issued, once', async () => {
      const key = new SoftwarePasskey();
      const user = await apiA.account(uniqueLogin('Two'), PASSWORD);
      const options = await apiA.post('/api/auth/passkeys/options', { pwd: b64(PASSWORD) }, as(user.token));
      const added = await apiB.post(
        '/api/auth/passkeys',
        { credential: key.create(options.body.options) },
        as(user.token),
      );
      assert.equal(added.status, 200, added.text);
      const request = (await apiB.post('/api/auth/passkey/login/options', {})).body.options;
      const response = key.get(request);
      assert.equal((await apiA.post('/api/auth/passkey/login', { credential: response })).status, 200);
      assert.equal((await apiB.post('/api/auth/passkey/login', { credential: response })).status, 401);
    });
  });

  describe('two instances sharing Redis (REDIS_URL)', { skip: REDIS_SKIP }, () => {
    before(assertRedisReachable);

    it('keep challenges in Redis, not the database, and redeem them across instances once', async () => {
      const prefix = testPrefix();
      const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix };
      const a = await startApp(db(), env);
      const b = await startApp(db(), env);
      try {
        const apiA = client(() => a.url);
        const apiB = client(() => b.url);
        const stored = async () =>
          Number(((await db().sql('SELECT COUNT(*) AS n FROM passkey_challenges')) as { n: number | string }[])[0].n);
        const before = await stored();
        const { key } = await enrolPasskey(apiA);
        const request = (await apiA.post('/api/auth/passkey/login/options', {})).body.options;
        assert.equal(await stored(), before, 'nothing more in the database');
        const response = key.get(request);
        const replies = await Promise.all([
          apiB.post('/api/auth/passkey/login', { credential: response }),
          apiA.post('/api/auth/passkey/login', { credential: response }),
        ]);
        assert.deepEqual(replies.map((r) => r.status).sort(), [200, 401]);
      } finally {
        await a.close();
        await b.close();
        await dropPrefix(prefix);
      }
    });
  });
});
