import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OffsetClock } from '../src/clock/clock';
import { appPerSuite, type RunningApp, startApp } from './support/app';
import { eachEngine } from './support/engines';
import { postFrom, type AddressedReply } from './support/from-address';
import { b64, client, uniqueLogin } from './support/http';

const A = '127.0.0.1';
const B = '127.0.0.2';
const C = '127.0.0.3';
const MINUTE = 60_000;

function assertLimited(reply: AddressedReply, dialect: 'classic' | 'birdhouse', maxSeconds: number): void {
  assert.equal(reply.status, 429, JSON.stringify(reply.body));
  const retryAfter = Number(reply.headers['retry-after']);
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxSeconds,
    `Retry-After ${reply.headers['retry-after']}`,
  );
  if (dialect === 'classic') {
    assert.equal(reply.body.error, 'Too Many Requests');
    assert.equal(reply.body.status, undefined);
  } else {
    assert.equal(reply.body.status, 'error');
    assert.equal(reply.body.error, 'Too Many Requests');
  }
}

eachEngine(__filename, (db) => {
  describe('failed sign-ins per account and address', () => {
    const running = appPerSuite(db, { LOGIN_MAX_FAILURES: '3' });
    const api = client(() => running().url);
    const classic = (from: string, login: string, password: string) =>
      postFrom(from, running().url, '/auth', { login, password });
    const birdhouse = (from: string, handle: string, password: string) =>
      postFrom(from, running().url, '/api/auth/login', { handle, pwd: b64(password) });

    it('locks the account for that address after LOGIN_MAX_FAILURES failures, even for the right password', async () => {
      const { login, password } = await api.account();
      for (let i = 0; i < 3; i++) assert.equal((await classic(A, login, 'wrong-password')).status, 401);
      assertLimited(await classic(A, login, 'wrong-password'), 'classic', 15 * 60);
      assertLimited(await classic(A, login, password), 'classic', 15 * 60);
      assertLimited(await birdhouse(A, login, password), 'birdhouse', 15 * 60);
      // In any case and normal form: the same account.
      assertLimited(await classic(A, login.toUpperCase(), password), 'classic', 15 * 60);
    });

    it('leaves the owner signing in from another address untouched', async () => {
      const { login, password } = await api.account();
      for (let i = 0; i < 4; i++) await classic(A, login, 'wrong-password');
      assert.equal((await classic(A, login, password)).status, 429);
      const fromB = await classic(B, login, password);
      assert.equal(fromB.status, 200);
      assert.match(fromB.body.token, /^[A-Za-z0-9_-]{43,}$/);
      assert.equal((await birdhouse(B, login, password)).status, 200);
    });

    it('counts both dialects against one account', async () => {
      const { login, password } = await api.account();
      assert.equal((await classic(A, login, 'wrong-1')).status, 401);
      assert.equal((await birdhouse(A, login, 'wrong-2')).status, 401);
      assert.equal((await classic(A, login, 'wrong-3')).status, 401);
      assertLimited(await birdhouse(A, login, password), 'birdhouse', 15 * 60);
    });

    it('counts an unknown login like a known one, so a 429 does not reveal which accounts exist', async () => {
      const ghost = uniqueLogin('ghost');
      for (let i = 0; i < 3; i++) assert.equal((await classic(A, ghost, 'wrong-password')).status, 401);
      assertLimited(await classic(A, ghost, 'wrong-password'), 'classic', 15 * 60);
    });

    it('forgets the failures after a successful sign-in', async () => {
      const { login, password } = await api.account();
      for (let i = 0; i < 2; i++) assert.equal((await classic(A, login, 'wrong-password')).status, 401);
      assert.equal((await classic(A, login, password)).status, 200);
      for (let i = 0; i < 3; i++) assert.equal((await classic(A, login, 'wrong-password')).status, 401);
      assert.equal((await classic(A, login, 'wrong-password')).status, 429);
    });

    it('does not count bad input as a failed sign-in', async () => {
      const { login, password } = await api.account();
      for (let i = 0; i < 5; i++) {
        assert.equal((await postFrom(A, running().url, '/auth', { login, password: 7 })).status, 400);
        assert.equal((await postFrom(A, running().url, '/api/auth/login', { handle: login, pwd: '%%%' })).status, 400);
      }
      assert.equal((await classic(A, login, password)).status, 200);
    });

    it('lets no more than LOGIN_MAX_FAILURES guesses through a parallel burst', async () => {
      const { login } = await api.account();
      const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => classic(C, login, `guess-${i}`)));
      const statuses = replies.map((r) => r.status).sort();
      assert.deepEqual(statuses, [...Array(3).fill(401), ...Array(9).fill(429)]);
    });
  });

  describe('the end of a lockout window, on the server clock', () => {
    const clock = new OffsetClock();
    let running: RunningApp;
    before(async () => {
      running = await startApp(db(), { LOGIN_MAX_FAILURES: '3' }, [], { clock });
    });
    after(async () => {
      await running?.close();
    });
    const classic = (login: string, password: string) => postFrom(A, running.url, '/auth', { login, password });

    it('ends 15 minutes after the first failure: Retry-After counts down, then the right password signs in', async () => {
      const { login, password } = await client(() => running.url).account();
      for (let i = 0; i < 3; i++) assert.equal((await classic(login, 'wrong-password')).status, 401);
      const locked = await classic(login, password);
      assertLimited(locked, 'classic', 15 * 60);
      assert.ok(Number(locked.headers['retry-after']) > 14 * 60, `Retry-After ${locked.headers['retry-after']}`);

      clock.advance(14 * MINUTE);
      const stillLocked = await classic(login, password);
      assertLimited(stillLocked, 'classic', 60);

      clock.advance(MINUTE + 1000);
      // A wrong password is a plain failure again (the window ended, nothing cleared it)...
      assert.equal((await classic(login, 'wrong-password')).status, 401);
      // ...and the right one signs in, in both dialects.
      const signedIn = await classic(login, password);
      assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
      assert.match(signedIn.body.token, /^[A-Za-z0-9_-]{43,}$/);
      const birdhouse = await postFrom(A, running.url, '/api/auth/login', { handle: login, pwd: b64(password) });
      assert.equal(birdhouse.status, 200, JSON.stringify(birdhouse.body));
    });
  });

  describe('attempts per address per minute', () => {
    const running = appPerSuite(db, { RATE_LIMIT_PER_MINUTE: '6' });

    it('shares one budget across the four endpoints, then answers 429 in each dialect, per address', async () => {
      const login = uniqueLogin();
      const calls: [string, unknown][] = [
        ['/register', { login, password: 'secret-password' }],
        ['/auth', { login, password: 'secret-password' }],
        ['/api/auth/login', { handle: login, pwd: b64('secret-password') }],
        ['/api/auth/register', { handle: uniqueLogin(), pwd: b64('secret-password') }],
        ['/auth', { login, password: 12 }], // bad input counts as an attempt too
        ['/auth', { login, password: 'wrong-password' }],
      ];
      for (const [path, body] of calls) {
        const reply = await postFrom(A, running().url, path, body);
        assert.notEqual(reply.status, 429, `${path}: ${JSON.stringify(reply.body)}`);
      }
      assertLimited(await postFrom(A, running().url, '/auth', { login, password: 'secret-password' }), 'classic', 60);
      assertLimited(
        await postFrom(A, running().url, '/register', { login: uniqueLogin(), password: 'secret-password' }),
        'classic',
        60,
      );
      assertLimited(
        await postFrom(A, running().url, '/api/auth/login', { handle: login, pwd: b64('secret-password') }),
        'birdhouse',
        60,
      );
      const otherLogin = uniqueLogin();
      assertLimited(
        await postFrom(A, running().url, '/api/auth/register', { handle: otherLogin, pwd: b64('secret-password') }),
        'birdhouse',
        60,
      );
      // The refused registration created nothing.
      assert.equal(
        (await postFrom(B, running().url, '/auth', { login: otherLogin, password: 'secret-password' })).status,
        401,
      );
      // Another address has its own budget; authenticated calls are not limited.
      const fromB = await postFrom(B, running().url, '/auth', { login, password: 'secret-password' });
      assert.equal(fromB.status, 200);
      const me = await client(() => running().url).get('/api/auth/me', { Authentication: fromB.body.token });
      assert.equal(me.status, 200);
    });
  });

  describe('X-Forwarded-For', () => {
    it('is ignored unless the peer is listed in TRUST_PROXY', async () => {
      const running = await startApp(db(), { RATE_LIMIT_PER_MINUTE: '2' });
      try {
        const attempt = (forwarded: string) =>
          postFrom(
            A,
            running.url,
            '/auth',
            { login: 'nobody', password: 'wrong-password' },
            { 'X-Forwarded-For': forwarded },
          );
        assert.equal((await attempt('198.51.100.1')).status, 401);
        assert.equal((await attempt('198.51.100.2')).status, 401);
        assert.equal((await attempt('198.51.100.3')).status, 429);
      } finally {
        await running.close();
      }
    });

    it('names the client when the peer is a trusted proxy', async () => {
      const running = await startApp(db(), {
        RATE_LIMIT_PER_MINUTE: '2',
        LOGIN_MAX_FAILURES: '1',
        TRUST_PROXY: '127.0.0.1',
      });
      try {
        const attempt = (forwarded: string, password = 'wrong-password') =>
          postFrom(A, running.url, '/auth', { login: 'nobody', password }, { 'X-Forwarded-For': forwarded });
        assert.equal((await attempt('198.51.100.1')).status, 401);
        assert.equal((await attempt('198.51.100.1')).status, 429); // failure limit of 1 for that client
        assert.equal((await attempt('198.51.100.2')).status, 401); // another client behind the proxy
        assert.equal((await attempt('198.51.100.2')).status, 429); // its own rate budget of 2 is spent
        assert.equal((await attempt('198.51.100.3')).status, 401);
        // A peer that is not trusted cannot pose as a forwarded client.
        const untrusted = await postFrom(
          B,
          running.url,
          '/auth',
          { login: 'nobody', password: 'x-password' },
          {
            'X-Forwarded-For': '198.51.100.9',
          },
        );
        assert.equal(untrusted.status, 401);
        const again = await postFrom(
          B,
          running.url,
          '/auth',
          { login: 'nobody', password: 'x-password' },
          {
            'X-Forwarded-For': '198.51.100.10',
          },
        );
        assert.equal(again.status, 429); // counted as 127.0.0.2 both times: LOGIN_MAX_FAILURES 1
      } finally {
        await running.close();
      }
    });
  });
});
