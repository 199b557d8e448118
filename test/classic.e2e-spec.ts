import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachEngine } from './support/engines';
import { appPerSuite } from './support/app';
import { b64, client, uniqueLogin } from './support/http';

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);

  it('registers with 200 {"success":true} and signs in with 200 {"token"}', async () => {
    const login = uniqueLogin();
    const reg = await api.post('/register', { login, password: 'secret12' });
    assert.equal(reg.status, 200);
    assert.deepEqual(reg.body, { success: true });
    const auth = await api.post('/auth', { login, password: 'secret12' });
    assert.equal(auth.status, 200);
    assert.deepEqual(Object.keys(auth.body), ['token']);
    assert.match(auth.body.token, /^[A-Za-z0-9_-]{43,}$/);
  });

  it('answers 409 {"error":"Conflict"} for a taken login, in any case', async () => {
    const login = uniqueLogin('Taken');
    assert.equal((await api.post('/register', { login, password: 'secret12' })).status, 200);
    for (const variant of [login, login.toLowerCase(), login.toUpperCase()]) {
      const again = await api.post('/register', { login: variant, password: 'other-pass' });
      assert.equal(again.status, 409);
      assert.equal(again.body.error, 'Conflict');
    }
  });

  it('answers 401 {"error":"Unauthorized"} with the same body for a wrong password and an unknown login', async () => {
    const { login } = await api.account();
    const wrong = await api.post('/auth', { login, password: 'wrong-password' });
    const unknown = await api.post('/auth', { login: uniqueLogin('ghost'), password: 'wrong-password' });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.error, 'Unauthorized');
    assert.deepEqual(wrong.body, unknown.body);
  });

  it('treats logins case-insensitively and under NFKC, and shows the registered form back', async () => {
    const base = uniqueLogin('Mixed');
    const login = `${base}Ｚö`; // fullwidth Z, precomposed ö
    assert.equal((await api.post('/register', { login, password: 'secret12' })).status, 200);
    // ASCII Z and a decomposed o + combining diaeresis, in another case: the same account.
    const variant = `${base.toUpperCase()}zo\u0308`;
    assert.equal((await api.post('/register', { login: variant, password: 'secret12' })).status, 409);
    const auth = await api.post('/auth', { login: variant, password: 'secret12' });
    assert.equal(auth.status, 200);
    const me = await api.get('/api/auth/me', { Authentication: auth.body.token });
    assert.equal(me.body.handle, login);
  });

  it('treats ß and SS as one login, and keeps accents significant', async () => {
    const base = uniqueLogin('strasse');
    assert.equal((await api.post('/register', { login: `${base}ß`, password: 'secret12' })).status, 200);
    assert.equal((await api.post('/register', { login: `${base}SS`, password: 'secret12' })).status, 409);
    const accent = uniqueLogin('resume');
    assert.equal((await api.post('/register', { login: `${accent}é`, password: 'secret12' })).status, 200);
    assert.equal((await api.post('/register', { login: `${accent}e`, password: 'secret12' })).status, 200);
  });

  it('refuses identifiers that are empty, too long, or contain whitespace or control characters', async () => {
    const bad = [
      '',
      'a'.repeat(65),
      'has space',
      'tab\there',
      'nul\u0000x',
      'zero\u200bwidth',
      'nbsp\u00a0x',
      'lone\ud800',
    ];
    for (const login of bad) {
      const reply = await api.post('/register', { login, password: 'secret12' });
      assert.equal(reply.status, 400, JSON.stringify(login));
      assert.equal(reply.body.error, 'Bad Request');
    }
    assert.equal(
      (await api.post('/register', { login: 'b'.repeat(64) + process.pid, password: 'secret12' })).status,
      400,
    );
    const longest = `${process.pid}`.padEnd(64, 'c');
    assert.equal((await api.post('/register', { login: longest, password: 'secret12' })).status, 200);
  });

  it('enforces the password length in characters, not bytes, and at most 1024 bytes', async () => {
    assert.equal((await api.post('/register', { login: uniqueLogin(), password: '12345' })).status, 400);
    // Six characters, twelve bytes: allowed. Five four-byte characters: refused.
    assert.equal((await api.post('/register', { login: uniqueLogin(), password: 'éééééé' })).status, 200);
    assert.equal((await api.post('/register', { login: uniqueLogin(), password: '😀😀😀😀😀' })).status, 400);
    assert.equal((await api.post('/register', { login: uniqueLogin(), password: 'x'.repeat(1024) })).status, 200);
    assert.equal((await api.post('/register', { login: uniqueLogin(), password: 'x'.repeat(1025) })).status, 400);
    assert.equal((await api.post('/register', { login: uniqueLogin(), password: 'é'.repeat(513) })).status, 400);
  });

  it('keeps every byte of a long password significant (beyond bcrypt’s 72)', async () => {
    const login = uniqueLogin();
    const prefix = 'p'.repeat(100);
    assert.equal((await api.post('/register', { login, password: `${prefix}A` })).status, 200);
    assert.equal((await api.post('/auth', { login, password: `${prefix}B` })).status, 401);
    assert.equal((await api.post('/auth', { login, password: prefix })).status, 401);
    assert.equal((await api.post('/auth', { login, password: `${prefix}A` })).status, 200);
  });

  it('shares one account store with the Birdhouse dialect', async () => {
    const login = uniqueLogin();
    assert.equal((await api.post('/register', { login, password: 'zażółć gęślą' })).status, 200);
    const bird = await api.post('/api/auth/login', { handle: login, pwd: b64('zażółć gęślą') });
    assert.equal(bird.status, 200);
    const handle = uniqueLogin();
    assert.equal((await api.post('/api/auth/register', { handle, pwd: b64('secret12') })).status, 200);
    assert.equal((await api.post('/auth', { login: handle, password: 'secret12' })).status, 200);
    assert.equal((await api.post('/register', { login: handle, password: 'secret12' })).status, 409);
  });

  it('lets exactly one of 20 concurrent registrations of one login through', async () => {
    const login = uniqueLogin('race');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? api.post('/register', { login, password: `secret-${i}` })
          : api.post('/api/auth/register', { handle: login, pwd: b64(`secret-${i}`) }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, ...Array(19).fill(409)]);
    const winner = replies.findIndex((r) => r.status === 200);
    assert.equal((await api.post('/auth', { login, password: `secret-${winner}` })).status, 200);
  });

  it('gives 20 concurrent sign-ins 20 distinct working tokens', async () => {
    const { login, password } = await api.account();
    const replies = await Promise.all(Array.from({ length: 20 }, () => api.post('/auth', { login, password })));
    assert.ok(replies.every((r) => r.status === 200));
    const tokens = new Set(replies.map((r) => r.body.token as string));
    assert.equal(tokens.size, 20);
    for (const token of tokens) {
      assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);
    }
  });
});
