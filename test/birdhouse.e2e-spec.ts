import assert from 'node:assert/strict';
import { it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine, failingTrigger } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);
  const register = (handle: string, password: string) => api.post('/api/auth/register', { handle, pwd: b64(password) });
  const login = (handle: string, password: string) => api.post('/api/auth/login', { handle, pwd: b64(password) });

  it('registers with 200 {"status":"ok","token"} and the token works at once', async () => {
    const handle = uniqueLogin('Bird');
    const reply = await register(handle, 'secret12');
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.body).sort(), ['status', 'token']);
    assert.equal(reply.body.status, 'ok');
    const me = await api.get('/api/auth/me', { Authentication: reply.body.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.status, 'ok');
    assert.equal(me.body.handle, handle);
    assert.ok(!Number.isNaN(Date.parse(me.body.createdAt)));
    assert.ok(Math.abs(Date.parse(me.body.createdAt) - Date.now()) < 60_000);
  });

  it('answers 409 in its own shape for a taken handle', async () => {
    const handle = uniqueLogin();
    await register(handle, 'secret12');
    const again = await register(handle.toUpperCase(), 'secret2');
    assert.equal(again.status, 409);
    assert.equal(again.body.status, 'error');
    assert.equal(again.body.error, 'Conflict');
  });

  it('refuses a password under 6 characters with 400', async () => {
    const handle = uniqueLogin();
    const reply = await register(handle, '12345');
    assert.equal(reply.status, 400);
    assert.deepEqual([reply.body.status, reply.body.error], ['error', 'Bad Request']);
    assert.equal((await login(handle, '12345')).status, 401, 'no account was created');
  });

  it('accepts Base64 with or without padding and refuses what does not decode cleanly', async () => {
    const handle = uniqueLogin();
    const padded = b64('secret12'); // "c2VjcmV0MTI="
    assert.ok(padded.endsWith('='));
    assert.equal((await api.post('/api/auth/register', { handle, pwd: padded })).status, 200);
    assert.equal((await api.post('/api/auth/login', { handle, pwd: padded.replace(/=+$/, '') })).status, 200);
    const bad = [
      'c2VjcmV0MTI',
      '!!!!!!!!',
      'c2VjcmV0MTI==',
      'c2Vj cmV0MTI=',
      'c2VjcmV0MTI=\n',
      'c2VjcmV0M_I=',
      '/w==',
      'QR==',
      'A',
    ];
    for (const pwd of bad.slice(1)) {
      const reply = await api.post('/api/auth/login', { handle, pwd });
      assert.equal(reply.status, 400, pwd);
      assert.equal(reply.body.status, 'error');
    }
    const fresh = uniqueLogin();
    assert.equal((await api.post('/api/auth/register', { handle: fresh, pwd: '/w==' })).status, 400, 'not UTF-8');
    assert.equal((await api.post('/api/auth/register', { handle: fresh, pwd: '' })).status, 400);
  });

  it('answers 401 for a wrong password or an unknown handle, with the same body', async () => {
    const handle = uniqueLogin();
    await register(handle, 'secret12');
    const wrong = await login(handle, 'secret2');
    const unknown = await login(uniqueLogin('nobody'), 'secret2');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.deepEqual([wrong.body.status, wrong.body.error], ['error', 'Unauthorized']);
  });

  it('makes a new token at every login, each valid on its own', async () => {
    const handle = uniqueLogin();
    const first = (await register(handle, 'secret12')).body.token;
    const second = (await login(handle, 'secret12')).body.token;
    assert.notEqual(first, second);
    for (const token of [first, second]) {
      assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);
    }
  });

  it('invalidates a token: 200, then the token is refused while the others still work', async () => {
    const handle = uniqueLogin();
    const keep = (await register(handle, 'secret12')).body.token;
    const drop = (await login(handle, 'secret12')).body.token;
    const reply = await api.post('/api/auth/invalidate', { token: drop }, { Authentication: keep });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { status: 'ok' });
    assert.equal((await api.get('/api/auth/me', { Authentication: drop })).status, 401);
    assert.equal((await api.get('/api/auth/me', { Authentication: keep })).status, 200);
  });

  it('lets a token invalidate itself (sign-out)', async () => {
    const token = (await register(uniqueLogin(), 'secret12')).body.token;
    assert.equal(
      (await api.post('/api/auth/invalidate', { token }, { Authentication: `Bearer ${token}` })).status,
      200,
    );
    assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 401);
  });

  it('treats an unknown or already revoked token as revoked (200, idempotent)', async () => {
    const handle = uniqueLogin();
    const caller = (await register(handle, 'secret12')).body.token;
    const other = (await login(handle, 'secret12')).body.token;
    for (let i = 0; i < 2; i++) {
      assert.equal((await api.post('/api/auth/invalidate', { token: other }, { Authentication: caller })).status, 200);
    }
    const unknown = 'A'.repeat(43);
    assert.equal((await api.post('/api/auth/invalidate', { token: unknown }, { Authentication: caller })).status, 200);
    assert.equal(
      (await api.post('/api/auth/invalidate', { token: 'not-a-token' }, { Authentication: caller })).status,
      200,
    );
  });

  it("answers 403 for another account's token and revokes nothing", async () => {
    const mine = (await register(uniqueLogin(), 'secret12')).body.token;
    const theirs = (await register(uniqueLogin(), 'secret12')).body.token;
    const reply = await api.post('/api/auth/invalidate', { token: theirs }, { Authentication: mine });
    assert.equal(reply.status, 403);
    assert.deepEqual([reply.body.status, reply.body.error], ['error', 'Forbidden']);
    assert.equal((await api.get('/api/auth/me', { Authentication: theirs })).status, 200);
    assert.equal((await api.get('/api/auth/me', { Authentication: mine })).status, 200);
  });

  it('answers 401 to invalidate without a valid caller token, before looking at the body', async () => {
    const token = (await register(uniqueLogin(), 'secret12')).body.token;
    assert.equal((await api.post('/api/auth/invalidate', { token })).status, 401);
    assert.equal((await api.post('/api/auth/invalidate', { token }, { Authentication: 'B'.repeat(43) })).status, 401);
    assert.equal((await api.post('/api/auth/invalidate', { nonsense: 1 })).status, 401);
    assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);
  });

  it('answers 400 to invalidate with a bad body from an authenticated caller', async () => {
    const token = (await register(uniqueLogin(), 'secret12')).body.token;
    const auth = { Authentication: token };
    for (const body of [{}, { token: 5 }, { token: null }, { token: ['x'] }, { token: '' }, { token, extra: true }]) {
      const reply = await api.post('/api/auth/invalidate', body, auth);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.status, 'error');
    }
    assert.equal((await api.get('/api/auth/me', auth)).status, 200, 'nothing was revoked');
  });

  it('creates the account and its first token in one transaction', async () => {
    // A registration that fails after the account insert must leave no account behind:
    // make the token insert fail inside the transaction with a trigger, then check.
    const handle = uniqueLogin('atomic');
    const dropTrigger = await failingTrigger(db(), 'refuse_tokens', 'tokens', 'INSERT');
    try {
      const reply = await register(handle, 'secret12');
      assert.ok(reply.status >= 500, `expected a failure, got ${reply.status}`);
      assert.equal(reply.body.status, 'error');
      assert.ok(!reply.text.includes('refused by test'), 'no internal detail reaches the client');
    } finally {
      await dropTrigger();
    }
    const rows = await db().sql('SELECT id FROM accounts WHERE login = ?', [handle]);
    assert.equal(rows.length, 0);
    assert.equal((await register(handle, 'secret12')).status, 200, 'the handle is still free');
  });
});
