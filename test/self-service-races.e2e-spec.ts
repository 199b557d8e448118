import assert from 'node:assert/strict';
import { it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, type Reply, uniqueLogin } from './support/http';

/** Requests fired together per race. */
const N = 12;

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);
  const auth = (token: string) => ({ Authentication: token });
  const login = (handle: string, password: string) => api.post('/api/auth/login', { handle, pwd: b64(password) });
  const me = async (token: string) => (await api.get('/api/auth/me', auth(token))).status;
  const tokensOf = (replies: Reply[]) => replies.filter((r) => r.status === 200).map((r) => r.body.token as string);
  const count = async (sql: string, params: unknown[] = []) =>
    Number(((await db().sql(sql, params))[0] as { n: unknown }).n);

  /** Starts every request in the same tick, the one under test in the middle of the others. */
  async function race(subject: () => Promise<Reply>, others: (() => Promise<Reply>)[]): Promise<[Reply, Reply[]]> {
    const half = Math.floor(others.length / 2);
    const all = await Promise.all([
      ...others.slice(0, half).map((f) => f()),
      subject(),
      ...others.slice(half).map((f) => f()),
    ]);
    const [result] = all.splice(half, 1);
    return [result, all];
  }

  async function register(handle = uniqueLogin('race'), password = 'race-password') {
    const reply = await api.post('/api/auth/register', { handle, pwd: b64(password) });
    assert.equal(reply.status, 200, reply.text);
    return { handle, token: reply.body.token as string };
  }

  it('password change racing with sign-ins: no token issued with the old password survives', async () => {
    const { handle, token } = await register();
    const before = tokensOf([await login(handle, 'race-password'), await login(handle, 'race-password')]);
    const [change, signIns] = await race(
      () => api.post('/api/auth/password', { pwd: b64('race-password'), newPwd: b64('raced-password') }, auth(token)),
      Array.from({ length: N }, () => () => login(handle, 'race-password')),
    );
    assert.equal(change.status, 200, change.text);
    for (const reply of signIns) assert.ok([200, 401].includes(reply.status), String(reply.status));
    const issued = tokensOf(signIns);
    for (const t of [...before, ...issued]) assert.equal(await me(t), 401, 'a token of the old password survived');
    assert.equal(
      change.body.revoked,
      before.length + issued.length,
      'every old-password token was revoked by the change',
    );
    assert.equal(await me(token), 200);
    assert.equal((await api.get('/api/auth/sessions', auth(token))).body.total, 1);
    assert.equal((await login(handle, 'raced-password')).status, 200);
  });

  it('revoke-others racing with sign-ins: tokens from before go, tokens from after stay', async () => {
    const { handle, token } = await register();
    const before = tokensOf([await login(handle, 'race-password'), await login(handle, 'race-password')]);
    const [revoke, signIns] = await race(
      () => api.post('/api/auth/sessions/revoke-others', { pwd: b64('race-password') }, auth(token)),
      Array.from({ length: N }, () => () => login(handle, 'race-password')),
    );
    assert.equal(revoke.status, 200, revoke.text);
    const after = tokensOf(await Promise.all(Array.from({ length: 3 }, () => login(handle, 'race-password'))));
    assert.equal(after.length, 3);
    const issued = tokensOf(signIns);
    assert.equal(issued.length, N, 'the sign-ins themselves all succeed');
    for (const t of before) assert.equal(await me(t), 401);
    for (const t of after) assert.equal(await me(t), 200);
    const survivors = (await Promise.all(issued.map(me))).filter((s) => s === 200).length;
    assert.equal(
      revoke.body.revoked,
      before.length + issued.length - survivors,
      'each raced token was either revoked and counted, or issued after',
    );
    assert.equal((await api.get('/api/auth/sessions', auth(token))).body.total, 1 + survivors + after.length);
  });

  it('deletion racing with sign-ins and re-registrations: nothing of the old account survives', async () => {
    const handle = uniqueLogin('gone');
    const { token } = await register(handle);
    const [{ id: oldId }] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [handle])) as { id: number }[];
    const [deletion, others] = await race(
      () => api.post('/api/auth/delete', { pwd: b64('race-password') }, auth(token)),
      [
        ...Array.from({ length: N }, () => () => login(handle, 'race-password')),
        ...Array.from(
          { length: N },
          () => () => api.post('/api/auth/register', { handle, pwd: b64('reborn-password') }),
        ),
      ],
    );
    assert.equal(deletion.status, 200, deletion.text);
    const signIns = others.slice(0, N);
    const registrations = others.slice(N);
    for (const reply of signIns) assert.ok([200, 401].includes(reply.status), String(reply.status));
    for (const reply of registrations) assert.ok([200, 409].includes(reply.status), String(reply.status));
    for (const t of [token, ...tokensOf(signIns)])
      assert.equal(await me(t), 401, 'a token of the deleted account survived');
    const reborn = tokensOf(registrations);
    assert.ok(reborn.length <= 1);
    if (reborn.length === 0) reborn.push((await register(handle, 'reborn-password')).token);
    assert.equal(await me(reborn[0]), 200);
    const rows = (await db().sql('SELECT id FROM accounts WHERE login_key = ?', [handle.toLowerCase()])) as {
      id: number;
    }[];
    assert.equal(rows.length, 1);
    assert.notEqual(Number(rows[0].id), Number(oldId), 'a re-registration is a new account');
    assert.equal(await count('SELECT COUNT(*) AS n FROM tokens WHERE account_id = ?', [oldId]), 0);
    assert.equal(await count('SELECT COUNT(*) AS n FROM tokens WHERE account_id NOT IN (SELECT id FROM accounts)'), 0);
    assert.equal((await login(handle, 'race-password')).status, 401, 'the old password opens nothing');
  });
});
