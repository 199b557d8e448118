import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachEngine } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, request, uniqueLogin } from './support/http';
import { spawnService, waitHealthy, within } from './support/process';
import { openSocket } from './support/sockets';

eachEngine(__filename, (db) => {
  it('logs a full register / sign-in / sign-out flow in JSON lines that carry no password, token or challenge', async () => {
    const service = await spawnService({ DATABASE_URL: db().url });
    const secrets: string[] = [];
    try {
      await waitHealthy(service.url);
      const login = uniqueLogin('logged');
      const password = `classic-Pa55-${process.pid}-zebra`;
      const handle = uniqueLogin('birdlogged');
      const pwd = `bird-Pa55-${process.pid}-heron`;
      secrets.push(password, pwd, b64(pwd));
      const post = (path: string, json: unknown, headers?: Record<string, string>) =>
        request(service.url, 'POST', path, { json, headers });

      assert.equal((await post('/register', { login, password })).status, 200);
      const auth = await post('/auth', { login, password });
      assert.equal(auth.status, 200);
      const reg = await post('/api/auth/register', { handle, pwd: b64(pwd) });
      assert.equal(reg.status, 200);
      const signIn = await post('/api/auth/login', { handle, pwd: b64(pwd) });
      assert.equal(signIn.status, 200);
      secrets.push(auth.body.token, reg.body.token, signIn.body.token);
      for (const response of [auth, reg, signIn]) {
        assert.equal(response.headers.get('cache-control'), 'no-store');
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(response.headers.get('x-powered-by'), null);
      }
      // Failures a log might be tempted to explain with the input.
      assert.equal((await post('/auth', { login, password: `${password}-wrong` })).status, 401);
      assert.equal((await post('/api/auth/login', { handle: uniqueLogin('nobody'), pwd: b64(pwd) })).status, 401);
      assert.equal((await post('/register', { login, password })).status, 409);
      // An access token, a service introspecting with it, and a passkey challenge: none reaches the log.
      const access = await post(
        '/api/auth/tokens',
        { name: 'logged script', scopes: ['introspect'], pwd: b64(pwd) },
        { Authentication: reg.body.token },
      );
      assert.equal(access.status, 200, access.text);
      secrets.push(access.body.token);
      const introspected = await request(service.url, 'POST', '/api/auth/introspect', {
        raw: `token=${encodeURIComponent(signIn.body.token)}`,
        headers: { Authentication: access.body.token, 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(introspected.body.active, true, introspected.text);
      const passkeyLogin = await post('/api/auth/passkey/login/options', {});
      assert.equal(passkeyLogin.status, 200, passkeyLogin.text);
      secrets.push(passkeyLogin.body.options.challenge);
      assert.equal((await post('/api/auth/register', { handle: 'has space', pwd: b64(pwd) })).status, 400);
      const forged = `${signIn.body.token.slice(0, -2)}xx`;
      secrets.push(forged);
      assert.equal(
        (await request(service.url, 'GET', '/api/auth/me', { headers: { Authentication: forged } })).status,
        401,
      );
      const malformed = await request(service.url, 'POST', '/auth', {
        raw: `{"login":"${login}","password":"${password}"`,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(malformed.status, 400);
      const me = await request(service.url, 'GET', '/api/auth/me', {
        headers: { Authentication: `Bearer ${reg.body.token}` },
      });
      assert.equal(me.status, 200);
      const out = await post(
        '/api/auth/invalidate',
        { token: signIn.body.token },
        { Authorization: `Bearer ${reg.body.token}` },
      );
      assert.equal(out.status, 200);
      const self = await post('/api/auth/invalidate', { token: reg.body.token }, { Authentication: reg.body.token });
      assert.equal(self.status, 200);

      service.child.kill('SIGTERM');
      assert.equal(await within(service.exited, 20_000, 'still running'), 0);
      const lines = service
        .output()
        .split('\n')
        .filter((line) => line.trim() !== '');
      assert.ok(lines.length > 5, 'the service logged its start and stop');
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
      assert.ok(lines.some((line) => line.includes('SIGTERM received')));
      for (const secret of secrets) assert.ok(!service.output().includes(secret), 'a secret reached the log');
      assert.ok(!/\n\s+at /.test(service.output()), 'no stack trace in the log');
    } finally {
      service.kill();
    }
  });

  it('on SIGTERM stops accepting, finishes the requests in flight, tells sockets why, and exits 0', async () => {
    // A dear hash (about 0.35 s at cost 12, two at a time) keeps the six sign-ins in flight for
    // over a second, so the signal surely arrives while they are being served; dearer, a loaded
    // machine took longer than the 10 s drain to hash them all.
    const service = await spawnService({ DATABASE_URL: db().url, BCRYPT_COST: '12' });
    try {
      await waitHealthy(service.url);
      const login = uniqueLogin('draining');
      const password = 'draining-password';
      assert.equal((await request(service.url, 'POST', '/register', { json: { login, password } })).status, 200);
      const first = await request(service.url, 'POST', '/auth', { json: { login, password } });
      assert.equal(first.status, 200);

      const socket = await openSocket(service.url, first.body.token);
      const told = new Promise<unknown>((resolve) => socket.on('shutdown', resolve));
      const gone = new Promise<string>((resolve) => socket.on('disconnect', resolve));

      // Each on a connection of its own (no keep-alive reuse racing the server's close).
      const inFlight = Array.from({ length: 6 }, () =>
        postFrom('127.0.0.1', service.url, '/auth', { login, password }).then(
          (reply) => reply,
          (error: Error) => error,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      service.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const late = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(5_000) }).then(
        (response) => response.status,
        () => 'refused',
      );
      assert.equal(late, 'refused', 'a new connection after SIGTERM is not accepted');

      const replies = await Promise.all(inFlight);
      for (const reply of replies) {
        assert.ok(!(reply instanceof Error), `an in-flight request was cut off: ${String(reply)}`);
        assert.equal(reply.status, 200);
        assert.match(reply.body.token, /^[A-Za-z0-9_-]{43,}$/);
      }
      assert.deepEqual(await within(told, 10_000, 'not told'), { reason: 'server shutting down' });
      assert.equal(await within(gone, 10_000, 'still connected'), 'io server disconnect');
      socket.close();
      assert.equal(await within(service.exited, 20_000, 'still running'), 0);
    } finally {
      service.kill();
    }
  });
});
