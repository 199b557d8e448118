import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';
import { openSocket, watch } from './support/sockets';

/** CONTRACT section 2: a revocation made elsewhere is refused by REST within one second. */
const ELSEWHERE_MS = 1000;
const SWEEP = '1s';

/** Two instances of the service on one database, as behind a load balancer. */
eachEngine(__filename, (db) => {
  const a = appPerSuite(db, { TOKEN_SWEEP_INTERVAL: SWEEP });
  const b = appPerSuite(db, { TOKEN_SWEEP_INTERVAL: SWEEP });
  const apiA = client(() => a().url);
  const apiB = client(() => b().url);

  it('shares accounts and tokens: registered on one, signed in and checked on the other', async () => {
    const handle = uniqueLogin('Shared');
    const reg = await apiA.post('/api/auth/register', { handle, pwd: b64('shared-secret') });
    assert.equal(reg.status, 200);
    const me = await apiB.get('/api/auth/me', { Authentication: reg.body.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.handle, handle);
    const auth = await apiB.post('/auth', { login: handle.toLowerCase(), password: 'shared-secret' });
    assert.equal(auth.status, 200);
    assert.equal((await apiA.get('/api/auth/me', { Authentication: auth.body.token })).status, 200);
  });

  it('lets exactly one of 20 concurrent registrations of one login win across both instances', async () => {
    const login = uniqueLogin('Race');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? apiA.post('/register', { login: i % 4 === 0 ? login : login.toUpperCase(), password: 'race-secret' })
          : apiB.post('/api/auth/register', { handle: login, pwd: b64('race-secret') }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, ...Array(19).fill(409)]);
    const [row] = (await db().sql('SELECT COUNT(*) AS n FROM accounts WHERE login_key = ?', [login.toLowerCase()])) as {
      n: number | string;
    }[];
    assert.equal(Number(row.n), 1);
  });

  it('refuses on one instance, within a second, a token signed out on the other', async () => {
    const { token } = await apiA.account();
    // Instance A has just checked the token: it sits in A's cache.
    assert.equal((await apiA.get('/api/auth/me', { Authentication: token })).status, 200);
    const out = await apiB.post('/api/auth/invalidate', { token }, { Authentication: token });
    assert.equal(out.status, 200);
    assert.equal(
      (await apiB.get('/api/auth/me', { Authentication: token })).status,
      401,
      'at once where it was revoked',
    );
    await sleep(ELSEWHERE_MS);
    assert.equal((await apiA.get('/api/auth/me', { Authentication: token })).status, 401, 'within a second elsewhere');
  });

  it('drops a socket on one instance within TOKEN_SWEEP_INTERVAL when its token is revoked on the other', async () => {
    const { token } = await apiA.account();
    const socket = await openSocket(a().url, token);
    try {
      const watched = watch(socket);
      const started = performance.now();
      assert.equal((await apiB.post('/api/auth/invalidate', { token }, { Authentication: token })).status, 200);
      const disconnectedAt = await watched.disconnectedAt(10_000);
      assert.ok(Number.isFinite(disconnectedAt), 'the socket was not dropped');
      // The sweep runs every half interval; allow one more interval for a loaded machine.
      assert.ok(disconnectedAt - started <= 2 * 1000, `dropped after ${disconnectedAt - started} ms`);
      assert.deepEqual(watched.events, ['revoked:{"reason":"revoked"}', 'disconnect']);
    } finally {
      socket.close();
    }
  });
});
