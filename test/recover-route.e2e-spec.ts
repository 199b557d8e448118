import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { OffsetClock } from '../src/clock/clock';
import { RecoveryCodes } from '../src/recovery/recovery-codes';
import { appPerSuite, startApp } from './support/app';
import { eachEngine } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, client, uniqueLogin } from './support/http';
import { closeSockets, dropped, openSocket } from './support/sockets';

const REFUSED = {
  status: 'error',
  error: 'Unauthorized',
  message: 'unknown handle, or a wrong, expired or used recovery code',
};
const MAX_FAILURES = 10;
const HOUR = 3600_000;

eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const running = appPerSuite(db, { LOGIN_MAX_FAILURES: String(MAX_FAILURES) }, [], { clock });
  const api = client(() => running().url);

  afterEach(closeSockets);

  const recover = (handle: string, code: string, newPassword: string) =>
    api.post('/api/auth/recover', { handle, code, newPwd: b64(newPassword) });
  const me = (token: string) => api.get('/api/auth/me', { Authentication: token });
  const signIn = (handle: string, password: string) => api.post('/api/auth/login', { handle, pwd: b64(password) });

  /** An account with a token and a connected socket, and a code issued as the owner's tools issue it. */
  async function withCode() {
    const account = await api.account(uniqueLogin('Lost'));
    const [row] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [account.login])) as { id: number }[];
    const id = Number(row.id);
    const { code, expiresAt } = await running().app.get(RecoveryCodes).issue(id);
    return { ...account, id, code, expiresAt };
  }

  const eventsOf = (login: string) => running().events.filter((e) => e.login === login);

  it('sets the new password, uses the code up, revokes every old token, drops its sockets, returns a fresh token', async () => {
    const user = await withCode();
    const second = (await signIn(user.login, user.password)).body.token as string;
    const socket = await openSocket(running().url, user.token);
    const drop = dropped(socket, 2000);

    const reply = await recover(user.login.toUpperCase(), user.code, 'a brand new pässword');
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(Object.keys(reply.body).sort(), ['status', 'token']);
    assert.equal(reply.body.status, 'ok');
    assert.deepEqual((await me(reply.body.token)).body.handle, user.login);
    // Old tokens at once (this instance's API), their sockets with the contract's notice.
    assert.equal((await me(user.token)).status, 401);
    assert.equal((await me(second)).status, 401);
    assert.deepEqual((await drop).revoked, { reason: 'revoked' });
    assert.equal((await signIn(user.login, user.password)).status, 401);
    assert.equal((await signIn(user.login, 'a brand new pässword')).status, 200);
    // Single use.
    assert.deepEqual((await recover(user.login, user.code, 'yet another password')).body, REFUSED);
    assert.equal((await db().sql('SELECT * FROM recovery_codes WHERE account_id = ?', [user.id])).length, 0);

    const events = eventsOf(user.login);
    const redeemed = events.filter((e) =>
      ['recovery-code.redeemed', 'password.changed', 'token.revoked'].includes(e.event),
    );
    assert.deepEqual(
      redeemed.map(({ event, accountId, address, cause, count, via }) => ({
        event,
        accountId,
        address,
        cause,
        count,
        via,
      })),
      [
        {
          event: 'recovery-code.redeemed',
          accountId: user.id,
          address: '127.0.0.1',
          cause: undefined,
          count: undefined,
          via: undefined,
        },
        {
          event: 'password.changed',
          accountId: user.id,
          address: '127.0.0.1',
          cause: undefined,
          count: undefined,
          via: undefined,
        },
        {
          event: 'token.revoked',
          accountId: user.id,
          address: '127.0.0.1',
          cause: 'recovery',
          count: 2,
          via: undefined,
        },
      ],
    );
    const failed = events.filter((e) => e.event === 'recovery-code.failed');
    assert.equal(failed.length, 1);
    const logged = JSON.stringify(events);
    for (const secret of [user.code, user.code.replace(/-/g, ''), reply.body.token, 'a brand new pässword']) {
      assert.ok(!logged.includes(secret), 'an event holds a secret');
    }
  });

  it('accepts the code in any case, with spaces or dashes anywhere', async () => {
    const user = await withCode();
    const typed = ` ${user.code
      .replace(/-/g, ' ')
      .toLowerCase()
      .replace(/^(.{3})/, '$1-')} `;
    const reply = await recover(user.login, typed, 'typed by hand');
    assert.equal(reply.status, 200, reply.text);
  });

  it('answers 401 with one body for an unknown handle and a wrong, replaced, used or expired code', async () => {
    const user = await withCode();
    const other = await withCode();
    const replies = [
      await recover(uniqueLogin('nobody'), user.code, 'new password'),
      await recover(user.login, other.code, 'new password'),
      await recover(user.login, 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA', 'new password'),
      await recover(user.login, 'not a code at all', 'new password'),
      await recover(user.login, '', 'new password'),
    ];
    // A new code replaces the old one.
    const { code: replacement } = await running().app.get(RecoveryCodes).issue(user.id);
    replies.push(await recover(user.login, user.code, 'new password'));
    // Expired: the lifetime fixed at issue time has passed on the server's clock.
    clock.advance(HOUR + 1000);
    try {
      replies.push(await recover(user.login, replacement, 'new password'));
    } finally {
      clock.advance(-(HOUR + 1000));
    }
    for (const reply of replies) {
      assert.equal(reply.status, 401);
      assert.deepEqual(reply.body, REFUSED);
    }
    // Nothing changed for the account, and the other account's code still works.
    assert.equal((await signIn(user.login, user.password)).status, 200);
    assert.equal((await me(user.token)).status, 200);
    assert.equal((await recover(other.login, other.code, 'new password')).status, 200);
    const failed = running().events.filter((e) => e.event === 'recovery-code.failed' && e.login === user.login);
    assert.ok(failed.length >= 6);
    assert.ok(failed.every((e) => e.accountId === user.id && e.address === '127.0.0.1'));
  });

  it('takes about as long for an unknown handle as for a wrong code', async () => {
    const user = await withCode();
    const median = async (handle: string) => {
      const times: number[] = [];
      // Fewer tries than LOGIN_MAX_FAILURES, so that none meets the 429.
      for (let i = 0; i < MAX_FAILURES - 1; i++) {
        const started = performance.now();
        assert.equal((await recover(handle, 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA', 'new password')).status, 401);
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[4];
    };
    const unknown = await median(uniqueLogin('nobody'));
    const wrong = await median(user.login);
    // No hashing on either path: both are two indexed lookups and a digest.
    assert.ok(Math.abs(unknown - wrong) < 25, `unknown ${unknown.toFixed(1)} ms, wrong code ${wrong.toFixed(1)} ms`);
  });

  it('is still valid just before its expiry', async () => {
    const user = await withCode();
    clock.advance(HOUR - 5000);
    try {
      assert.equal((await recover(user.login, user.code, 'just in time')).status, 200);
    } finally {
      clock.advance(-(HOUR - 5000));
    }
  });

  it('refuses a new password that breaks the rules with 400 and keeps the code valid', async () => {
    const user = await withCode();
    for (const bad of ['12345', '', 'x'.repeat(1025)]) {
      const reply = await recover(user.login, user.code, bad);
      assert.equal(reply.status, 400, bad);
      assert.equal(reply.body.status, 'error');
      assert.equal(reply.body.error, 'Bad Request');
      assert.match(reply.body.message, /password/);
    }
    const notBase64 = await api.post('/api/auth/recover', {
      handle: user.login,
      code: user.code,
      newPwd: 'not base64!',
    });
    assert.equal(notBase64.status, 400);
    assert.equal((await me(user.token)).status, 200);
    assert.equal((await signIn(user.login, user.password)).status, 200);
    assert.equal((await recover(user.login, user.code, 'a good one')).status, 200);
  });

  it('answers 400 in the Birdhouse shape for a body that is not {handle, code, newPwd} strings', async () => {
    const user = await withCode();
    const bodies: unknown[] = [
      {},
      { handle: user.login, code: user.code },
      { handle: user.login, code: 5, newPwd: b64('new password') },
      { handle: user.login, code: user.code, newPwd: null },
      { handle: [user.login], code: user.code, newPwd: b64('new password') },
      { handle: user.login, code: user.code, newPwd: b64('new password'), extra: true },
      [user.login, user.code],
    ];
    for (const json of bodies) {
      const reply = await api.post('/api/auth/recover', json);
      assert.equal(reply.status, 400, JSON.stringify(json));
      assert.equal(reply.body.status, 'error');
    }
    assert.equal((await recover(user.login, user.code, 'still works')).status, 200);
  });

  it('gives exactly one 200 for ten parallel redemptions of one code', async () => {
    const user = await withCode();
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => recover(user.login, user.code, `parallel password ${i}`)),
    );
    const won = replies.filter((r) => r.status === 200);
    assert.equal(won.length, 1, replies.map((r) => r.status).join(','));
    for (const lost of replies.filter((r) => r.status !== 200)) assert.deepEqual(lost.body, REFUSED);
    const winner = replies.indexOf(won[0]);
    assert.equal((await signIn(user.login, `parallel password ${winner}`)).status, 200);
    const tokens = (await db().sql('SELECT id FROM tokens WHERE account_id = ?', [user.id])).length;
    assert.equal(tokens, 2, 'the fresh token and the sign-in just made');
  });

  it('answers 403 to a valid code for a locked account, 401 to an invalid one, and works once unlocked', async () => {
    const user = await withCode();
    await db().sql('UPDATE accounts SET locked_at = ? WHERE id = ?', [Date.now(), user.id]);
    const locked = await recover(user.login, user.code, 'while locked');
    assert.equal(locked.status, 403);
    assert.equal(locked.body.status, 'error');
    assert.equal(locked.body.error, 'Forbidden');
    assert.match(locked.body.message, /locked/);
    assert.deepEqual((await recover(user.login, 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF', 'while locked')).body, REFUSED);
    assert.equal((await signIn(user.login, 'while locked')).status, 401, 'the password did not change');
    await db().sql('UPDATE accounts SET locked_at = NULL WHERE id = ?', [user.id]);
    assert.equal((await recover(user.login, user.code, 'after the lock')).status, 200);
  });

  it('counts failed redemptions as failed sign-ins of that account from that address', async () => {
    const user = await withCode();
    for (let i = 0; i < MAX_FAILURES; i++) {
      assert.equal((await recover(user.login, 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA', 'guess')).status, 401);
    }
    for (const reply of [
      await recover(user.login, user.code, 'right code now'),
      await signIn(user.login, user.password),
    ]) {
      assert.equal(reply.status, 429);
      assert.equal(reply.body.status, 'error');
      assert.ok(Number(reply.headers.get('retry-after')) > 0);
    }
    // Another address is not affected: the user can still recover from there.
    const elsewhere = await postFrom('127.0.0.2', running().url, '/api/auth/recover', {
      handle: user.login,
      code: user.code,
      newPwd: b64('from elsewhere'),
    });
    assert.equal(elsewhere.status, 200);
  });

  it('shares the per-address budget of sign-in and registration', async () => {
    const limited = await startApp(db(), { RATE_LIMIT_PER_MINUTE: '4' });
    try {
      const http = client(() => limited.url);
      const login = uniqueLogin('Budget');
      // Registration and sign-in spend the address's budget...
      assert.equal((await http.post('/register', { login, password: 'secret-password' })).status, 200);
      assert.equal((await http.post('/auth', { login, password: 'secret-password' })).status, 200);
      assert.equal(
        (await http.post('/api/auth/recover', { handle: login, code: 'x', newPwd: b64('new password') })).status,
        401,
      );
      assert.equal(
        (await http.post('/api/auth/recover', { handle: login, code: 'x', newPwd: b64('new password') })).status,
        401,
      );
      // ...and recovery shares it.
      const over = await http.post('/api/auth/recover', { handle: login, code: 'x', newPwd: b64('new password') });
      assert.equal(over.status, 429);
      assert.equal(over.body.status, 'error');
      assert.ok(Number(over.headers.get('retry-after')) > 0);
      assert.equal((await http.post('/auth', { login, password: 'secret-password' })).status, 429);
    } finally {
      await limited.close();
    }
  });
});
