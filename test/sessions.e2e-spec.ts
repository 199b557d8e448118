import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hashToken } from '../src/tokens/token-secret';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, client, uniqueLogin } from './support/http';
import { dropped as droppedWithin, openSocket } from './support/sockets';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);
  const auth = (token: string) => ({ Authentication: token });
  const signIn = (handle: string, password: string, from = '127.0.0.1', userAgent?: string) =>
    postFrom(
      from,
      running().url,
      '/api/auth/login',
      { handle, pwd: b64(password) },
      userAgent ? { 'user-agent': userAgent } : {},
    );

  it('lists the live sessions newest first, the caller marked, with client, address and times', async () => {
    const handle = uniqueLogin('sess');
    const registered = await postFrom(
      '127.0.0.2',
      running().url,
      '/api/auth/register',
      { handle, pwd: b64('secret-password') },
      { 'user-agent': CHROME },
    );
    assert.equal(registered.status, 200);
    const firefox = await signIn(handle, 'secret-password', '127.0.0.3', FIREFOX);
    const bare = await postFrom('127.0.0.4', running().url, '/auth', { login: handle, password: 'secret-password' });
    const before = Date.now();
    const reply = await api.get('/api/auth/sessions', auth(firefox.body.token));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.status, 'ok');
    assert.equal(reply.body.total, 3);
    const [newest, middle, oldest] = reply.body.sessions;
    assert.deepEqual(Object.keys(newest).sort(), [
      'address',
      'client',
      'createdAt',
      'current',
      'expiresAt',
      'id',
      'lastUsedAt',
      // CONTRACT section 18: how each session was signed in.
      'method',
    ]);
    assert.deepEqual([newest.method, middle.method, oldest.method], ['password', 'password', 'registration']);
    assert.deepEqual([newest.current, middle.current, oldest.current], [false, true, false]);
    assert.deepEqual([newest.client, middle.client, oldest.client], [null, 'Firefox on Linux', 'Chrome on Windows']);
    assert.deepEqual([newest.address, middle.address, oldest.address], ['127.0.0.4', '127.0.0.3', '127.0.0.2']);
    for (const s of reply.body.sessions) {
      assert.match(s.createdAt, ISO);
      assert.match(s.expiresAt, ISO);
      assert.match(s.id, /^[A-Za-z0-9_-]{22}$/);
      assert.ok(
        !JSON.stringify(s).includes(bare.body.token) && !JSON.stringify(s).includes(hashToken(bare.body.token)),
      );
    }
    assert.ok(
      Date.parse(middle.lastUsedAt) >= before - 60_000 && Date.parse(middle.lastUsedAt) <= Date.now() + 1000,
      middle.lastUsedAt,
    );
    assert.equal(oldest.lastUsedAt, null, 'registration token never used');
    assert.ok(Date.parse(newest.createdAt) >= Date.parse(middle.createdAt));
  });

  it('shows null client and address for a token issued before sessions were recorded', async () => {
    const { login, token } = await api.account();
    const [{ id: accountId }] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [login])) as {
      id: number;
    }[];
    // A row as the schema before sessions wrote it: no client, no address.
    const old = 'old-style-token-'.padEnd(43, 'x');
    const now = Date.now();
    await db().sql(
      'INSERT INTO tokens (token_hash, public_id, account_id, created_at, expires_at, last_used_at, client, address) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)',
      [hashToken(old), 'legacy-public-id-000001', accountId, now - 1000, now + 3_600_000],
    );
    assert.equal((await api.get('/api/auth/me', auth(old))).status, 200, 'the old token keeps working');
    const reply = await api.get('/api/auth/sessions', auth(token));
    const legacy = reply.body.sessions.find((s: { id: string }) => s.id === 'legacy-public-id-000001');
    assert.deepEqual(
      { client: legacy.client, address: legacy.address, current: legacy.current },
      { client: null, address: null, current: false },
    );
    assert.equal((await api.post('/api/auth/sessions/revoke', { id: legacy.id }, auth(token))).status, 200);
    assert.equal((await api.get('/api/auth/me', auth(old))).status, 401);
  });

  it('counts every live session but lists at most 100', async () => {
    const { login, token } = await api.account();
    const [{ id: accountId }] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [login])) as {
      id: number;
    }[];
    const now = Date.now();
    for (let i = 0; i < 105; i++) {
      await db().sql(
        'INSERT INTO tokens (token_hash, public_id, account_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        [
          hashToken(`bulk-${login}-${i}`),
          `bulk${i}x${process.pid}`.padEnd(22, 'q').slice(0, 22),
          accountId,
          now - 10_000 - i,
          now + 3_600_000,
        ],
      );
    }
    // One expired row is not live.
    await db().sql(
      'INSERT INTO tokens (token_hash, public_id, account_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      [hashToken(`gone-${login}`), `gone${process.pid}`.padEnd(22, 'g'), accountId, now - 20_000, now - 1],
    );
    const reply = await api.get('/api/auth/sessions', auth(token));
    assert.equal(reply.body.total, 106);
    assert.equal(reply.body.sessions.length, 100);
    assert.equal(reply.body.sessions[0].current, true, 'the newest (the caller) comes first');
  });

  it("revokes one session by id and drops its sockets at once; 404 for another account's or an unknown id", async () => {
    const handle = uniqueLogin('rev');
    const first = (await api.post('/api/auth/register', { handle, pwd: b64('secret-password') })).body.token as string;
    const second = (await signIn(handle, 'secret-password')).body.token as string;
    const stranger = await api.account();
    const socket = await openSocket(running().url, second);
    const list = (await api.get('/api/auth/sessions', auth(first))).body.sessions;
    const target = list.find((s: { current: boolean }) => !s.current).id as string;
    assert.equal((await api.post('/api/auth/sessions/revoke', { id: target }, auth(stranger.token))).status, 404);
    assert.equal((await api.get('/api/auth/me', auth(second))).status, 200, 'a stranger could not revoke it');
    const dropped = droppedWithin(socket, 1000);
    const reply = await api.post('/api/auth/sessions/revoke', { id: target }, auth(first));
    assert.deepEqual([reply.status, reply.body], [200, { status: 'ok' }]);
    assert.deepEqual((await dropped).revoked, { reason: 'revoked' });
    assert.equal((await api.get('/api/auth/me', auth(second))).status, 401);
    const again = await api.post('/api/auth/sessions/revoke', { id: target }, auth(first));
    assert.deepEqual([again.status, again.body.status, again.body.error], [404, 'error', 'Not Found']);
    assert.equal((await api.post('/api/auth/sessions/revoke', { id: 'x'.repeat(22) }, auth(first))).status, 404);
    // Any string is an id (section 21): empty, over 64 characters or with a NUL, it names no session.
    for (const id of ['', 'x'.repeat(65), 'x'.repeat(5000), 'a\u0000b'])
      assert.equal((await api.post('/api/auth/sessions/revoke', { id }, auth(first))).status, 404, JSON.stringify(id));
    assert.equal((await api.get('/api/auth/me', auth(first))).status, 200);
  });

  it('ends every other session with the password, sockets dropped, the caller kept', async () => {
    const handle = uniqueLogin('others');
    const caller = (await api.post('/api/auth/register', { handle, pwd: b64('secret-password') })).body.token as string;
    const others = [
      (await signIn(handle, 'secret-password')).body.token,
      (await signIn(handle, 'secret-password')).body.token,
    ] as string[];
    const sockets = await Promise.all(others.map((t) => openSocket(running().url, t)));
    const mine = await openSocket(running().url, caller);
    assert.equal(
      (await api.post('/api/auth/sessions/revoke-others', { pwd: b64('wrong-password') }, auth(caller))).status,
      403,
    );
    for (const t of others)
      assert.equal((await api.get('/api/auth/me', auth(t))).status, 200, 'a wrong password changes nothing');
    const drops = sockets.map((s) => droppedWithin(s, 1000));
    const reply = await api.post('/api/auth/sessions/revoke-others', { pwd: b64('secret-password') }, auth(caller));
    assert.deepEqual([reply.status, reply.body], [200, { status: 'ok', revoked: 2 }]);
    for (const drop of await Promise.all(drops)) assert.deepEqual(drop.revoked, { reason: 'revoked' });
    for (const t of others) assert.equal((await api.get('/api/auth/me', auth(t))).status, 401);
    assert.equal((await api.get('/api/auth/me', auth(caller))).status, 200);
    assert.equal(mine.connected, true);
    mine.close();
    const list = await api.get('/api/auth/sessions', auth(caller));
    assert.equal(list.body.total, 1);
    assert.deepEqual(
      (await api.post('/api/auth/sessions/revoke-others', { pwd: b64('secret-password') }, auth(caller))).body,
      { status: 'ok', revoked: 0 },
    );
  });

  it('answers 401 without or with a bad token before looking at the body', async () => {
    for (const [method, path] of [
      ['GET', '/api/auth/sessions'],
      ['POST', '/api/auth/sessions/revoke'],
      ['POST', '/api/auth/sessions/revoke-others'],
      ['POST', '/api/auth/password'],
      ['POST', '/api/auth/delete'],
    ]) {
      for (const headers of [{}, { Authentication: 'not-a-token' }] as Record<string, string>[]) {
        const reply =
          method === 'GET'
            ? await api.get(path, headers)
            : await api.raw('POST', path, '{"pwd":7,"extra":[]}', { 'content-type': 'application/json', ...headers });
        assert.deepEqual(
          [reply.status, reply.body.status, reply.body.error],
          [401, 'error', 'Unauthorized'],
          `${method} ${path}`,
        );
      }
    }
  });
});
