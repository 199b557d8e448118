import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { type AddressedReply, postFrom } from './support/from-address';
import { b64, client, uniqueLogin } from './support/http';
import { dropped as droppedWithin, openSocket } from './support/sockets';

const A = '127.0.0.1';
const B = '127.0.0.2';

function assertShape(reply: { status: number; body: any }, status: number, error: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.status, 'error');
  assert.equal(reply.body.error, error);
}

eachEngine(__filename, (db) => {
  describe('password change and account deletion', () => {
    const running = appPerSuite(db, { LOGIN_MAX_FAILURES: '3' });
    const api = client(() => running().url);
    const auth = (token: string) => ({ Authentication: token });
    const register = async (password = 'secret-password') => {
      const handle = uniqueLogin('acct');
      const reply = await api.post('/api/auth/register', { handle, pwd: b64(password) });
      assert.equal(reply.status, 200, reply.text);
      return { handle, token: reply.body.token as string };
    };
    const login = (handle: string, password: string, from = A) =>
      postFrom(from, running().url, '/api/auth/login', { handle, pwd: b64(password) });
    const call = (path: string, token: string, body: unknown, from = A): Promise<AddressedReply> =>
      postFrom(from, running().url, path, body, auth(token));

    it('changes the password, revokes every other token and drops their sockets, keeps the caller', async () => {
      const { handle, token } = await register();
      const other = (await login(handle, 'secret-password')).body.token as string;
      const socket = await openSocket(running().url, other);
      const dropped = droppedWithin(socket, 1000);
      const reply = await call('/api/auth/password', token, {
        pwd: b64('secret-password'),
        newPwd: b64('fresh-pässword'),
      });
      assert.deepEqual([reply.status, reply.body], [200, { status: 'ok', revoked: 1 }]);
      assert.deepEqual((await dropped).revoked, { reason: 'revoked' });
      assert.equal((await api.get('/api/auth/me', auth(token))).status, 200);
      assert.equal((await api.get('/api/auth/me', auth(other))).status, 401);
      assert.equal((await login(handle, 'secret-password')).status, 401);
      assert.equal((await login(handle, 'fresh-pässword')).status, 200);
      assert.equal((await api.post('/auth', { login: handle, password: 'fresh-pässword' })).status, 200);
    });

    it('refuses a wrong current password with 403, changing nothing', async () => {
      const { handle, token } = await register();
      // The audit log records the failed attempts (sign-in.failed); nothing else may change.
      const before = await db().dump({ except: ['security_events'] });
      assertShape(
        await call('/api/auth/password', token, { pwd: b64('wrong-password'), newPwd: b64('fresh-password-2') }, B),
        403,
        'Forbidden',
      );
      assertShape(await call('/api/auth/delete', token, { pwd: b64('wrong-password') }, B), 403, 'Forbidden');
      assertShape(
        await call('/api/auth/sessions/revoke-others', token, { pwd: b64('wrong-password') }, B),
        403,
        'Forbidden',
      );
      assert.equal(await db().dump({ except: ['security_events'] }), before);
      assert.equal((await api.get('/api/auth/me', auth(token))).status, 200, 'the token is kept: 403, not 401');
      assert.equal(
        (await login(handle, 'secret-password', B)).status,
        429,
        'three wrong passwords from B: locked out there',
      );
      assert.equal((await login(handle, 'secret-password', A)).status, 200);
    });

    it('refuses a new password the rules refuse, common ones included, with 400 and a reason', async () => {
      const { handle, token } = await register();
      for (const [newPassword, reason] of [
        ['password', /common/],
        ['Qwerty123', /common/],
        ['ｐａｓｓｗｏｒｄ', /common/],
        ['abc', /at least 6/],
      ] as const) {
        const reply = await call('/api/auth/password', token, {
          pwd: b64('secret-password'),
          newPwd: b64(newPassword),
        });
        assertShape(reply, 400, 'Bad Request');
        assert.match(reply.body.message, reason);
      }
      assertShape(
        await call('/api/auth/password', token, { pwd: b64('secret-password'), newPwd: '%%%' }),
        400,
        'Bad Request',
      );
      assert.equal((await login(handle, 'secret-password')).status, 200, 'the password is unchanged');
    });

    it('deletes the account and its tokens, drops its sockets, frees the handle', async () => {
      const { handle, token } = await register();
      const other = (await login(handle, 'secret-password')).body.token as string;
      const sockets = await Promise.all([token, other].map((t) => openSocket(running().url, t)));
      const drops = sockets.map((s) => droppedWithin(s, 1000));
      const reply = await call('/api/auth/delete', token, { pwd: b64('secret-password') });
      assert.deepEqual([reply.status, reply.body], [200, { status: 'ok' }]);
      for (const drop of await Promise.all(drops)) assert.deepEqual(drop.revoked, { reason: 'revoked' });
      for (const t of [token, other]) assert.equal((await api.get('/api/auth/me', auth(t))).status, 401);
      assert.equal((await login(handle, 'secret-password')).status, 401);
      const rows = await db().sql('SELECT COUNT(*) AS n FROM accounts WHERE login = ?', [handle]);
      assert.equal(Number((rows[0] as { n: unknown }).n), 0);
      const orphans = await db().sql(
        'SELECT COUNT(*) AS n FROM tokens WHERE account_id NOT IN (SELECT id FROM accounts)',
      );
      assert.equal(Number((orphans[0] as { n: unknown }).n), 0);
      const again = await api.post('/api/auth/register', { handle, pwd: b64('another-secret') });
      assert.equal(again.status, 200, 'the handle is free again');
    });

    it('counts a wrong password as a failed sign-in and answers 429 while locked out, even with the right one', async () => {
      const { handle, token } = await register();
      for (let i = 0; i < 3; i++)
        assert.equal((await call('/api/auth/delete', token, { pwd: b64('wrong-password') })).status, 403);
      for (const [path, body] of [
        ['/api/auth/delete', { pwd: b64('secret-password') }],
        ['/api/auth/password', { pwd: b64('secret-password'), newPwd: b64('fresh-password-3') }],
        ['/api/auth/sessions/revoke-others', { pwd: b64('secret-password') }],
      ] as const) {
        const reply = await call(path, token, body);
        assertShape(reply, 429, 'Too Many Requests');
        const retryAfter = Number(reply.headers['retry-after']);
        assert.ok(retryAfter >= 1 && retryAfter <= 900, String(reply.headers['retry-after']));
      }
      assert.equal((await login(handle, 'secret-password')).status, 429, 'sign-in from that address is locked out too');
      assert.equal((await login(handle, 'secret-password', B)).status, 200, 'another address is not');
      assert.equal(
        (await call('/api/auth/sessions/revoke-others', token, { pwd: b64('secret-password') }, B)).status,
        200,
      );
    });

    it('counts failed sign-ins against the self-service calls of the same account and address', async () => {
      const { handle, token } = await register();
      for (let i = 0; i < 3; i++) assert.equal((await login(handle, 'wrong-password', B)).status, 401);
      assert.equal(
        (await call('/api/auth/password', token, { pwd: b64('secret-password'), newPwd: b64('fresh-password-4') }, B))
          .status,
        429,
      );
    });
  });

  describe('per-address budget', () => {
    const running = appPerSuite(db, { RATE_LIMIT_PER_MINUTE: '4' });
    const api = client(() => running().url);

    it('shares the sign-in budget of the address with the calls that take a password', async () => {
      const handle = uniqueLogin('budget');
      // Registration spends one attempt from 127.0.0.5's budget of 4.
      const token = (
        await postFrom('127.0.0.5', running().url, '/api/auth/register', { handle, pwd: b64('secret-password') })
      ).body.token as string;
      const headers = { Authentication: token };
      assert.equal(
        (
          await postFrom(
            '127.0.0.5',
            running().url,
            '/api/auth/sessions/revoke-others',
            { pwd: b64('secret-password') },
            headers,
          )
        ).status,
        200,
      );
      assert.equal(
        (
          await postFrom(
            '127.0.0.5',
            running().url,
            '/api/auth/password',
            { pwd: b64('secret-password'), newPwd: b64('fresh-password-5') },
            headers,
          )
        ).status,
        200,
      );
      assert.equal(
        (await postFrom('127.0.0.5', running().url, '/api/auth/login', { handle, pwd: b64('fresh-password-5') }))
          .status,
        200,
      );
      const limited = await postFrom(
        '127.0.0.5',
        running().url,
        '/api/auth/delete',
        { pwd: b64('fresh-password-5') },
        headers,
      );
      assertShape(limited, 429, 'Too Many Requests');
      assert.ok(Number(limited.headers['retry-after']) >= 1);
      assert.equal(
        (await api.get('/api/auth/sessions', headers)).status,
        200,
        'listing sessions takes no password and is not limited',
      );
    });
  });
});
