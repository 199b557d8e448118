import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { Injectable, Module } from '@nestjs/common';
import { OffsetClock } from '../src/clock/clock';
import type { SecurityEvent } from '../src/events/security-event';
import { OnSecurityEvent } from '../src/events/security-events';
import { hashToken } from '../src/tokens/token-secret';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, client, uniqueLogin } from './support/http';

const delivered: SecurityEvent[] = [];

/** An extension's listeners: one that records, one that throws, one that never settles. */
@Injectable()
class Listeners {
  @OnSecurityEvent(['sign-in.succeeded', 'password.changed', 'account.deleted', 'token.revoked'])
  record(event: SecurityEvent): void {
    delivered.push(event);
  }

  @OnSecurityEvent(['sign-in.succeeded', 'password.changed', 'account.deleted', 'account.registered'])
  explode(): void {
    throw new Error('listener failure');
  }

  @OnSecurityEvent(['sign-in.succeeded', 'password.changed', 'account.deleted', 'account.registered'])
  hang(): Promise<void> {
    return new Promise(() => undefined);
  }
}

@Module({ providers: [Listeners] })
class ListenersModule {}

const A = '127.0.0.7';

eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const app = appPerSuite(
    db,
    { LOGIN_MAX_FAILURES: '2', TOKEN_TTL: '1h', TOKEN_SWEEP_INTERVAL: '0.2s' },
    [ListenersModule],
    { clock },
  );
  const api = client(() => app().url);
  const from = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    postFrom(A, app().url, path, body, headers);
  const eventsOf = (login: string) => app().events.filter((e) => e.login === login);

  it("records each step of an account's life, with the client address, and never a secret", async () => {
    const handle = uniqueLogin('ev');
    const pwd = 'secret-password';
    const started = Date.now();
    const token = (await from('/api/auth/register', { handle, pwd: b64(pwd) })).body.token as string;
    const second = (await from('/api/auth/login', { handle, pwd: b64(pwd) })).body.token as string;
    const third = (await from('/api/auth/login', { handle, pwd: b64(pwd) })).body.token as string;
    const fourth = (await from('/api/auth/login', { handle, pwd: b64(pwd) })).body.token as string;
    const fifth = (await from('/api/auth/login', { handle, pwd: b64(pwd) })).body.token as string;
    assert.equal((await from('/api/auth/login', { handle, pwd: b64('wrong-password') })).status, 401);
    assert.equal((await from('/api/auth/invalidate', { token: second }, { Authentication: token })).status, 200);
    const sessions = (await api.get('/api/auth/sessions', { Authentication: token })).body.sessions as {
      id: string;
      current: boolean;
    }[];
    assert.equal(
      (await from('/api/auth/sessions/revoke', { id: sessions.find((s) => !s.current)!.id }, { Authentication: token }))
        .status,
      200,
    );
    assert.equal(
      (await from('/api/auth/sessions/revoke-others', { pwd: b64(pwd) }, { Authentication: third })).status,
      200,
    );
    const changed = await from(
      '/api/auth/password',
      { pwd: b64(pwd), newPwd: b64('fresh-password') },
      { Authentication: third },
    );
    assert.deepEqual(changed.body, { status: 'ok', revoked: 0 });
    const next = (await from('/api/auth/login', { handle, pwd: b64('fresh-password') })).body.token as string;
    assert.equal(
      (await from('/api/auth/delete', { pwd: b64('fresh-password') }, { Authentication: next })).status,
      200,
    );
    assert.ok(Date.now() - started < 5_000, 'listeners that throw or hang delayed nothing');

    const seen = eventsOf(handle).map((e) => [e.event, e.cause ?? null, e.count ?? null]);
    assert.deepEqual(seen, [
      ['account.registered', null, null],
      ['sign-in.succeeded', null, null],
      ['sign-in.succeeded', null, null],
      ['sign-in.succeeded', null, null],
      ['sign-in.succeeded', null, null],
      ['sign-in.failed', null, null],
      ['token.revoked', 'invalidate', null],
      ['token.revoked', 'session', null],
      ['token.revoked', 'others', 2],
      ['password.changed', null, null],
      ['sign-in.succeeded', null, null],
      ['token.revoked', 'deletion', 2],
      ['account.deleted', null, null],
    ]);
    const accountId = eventsOf(handle)[0].accountId;
    assert.ok(typeof accountId === 'number');
    for (const event of eventsOf(handle)) {
      assert.equal(event.accountId, accountId);
      assert.equal(event.address, A);
      assert.ok(Math.abs(Date.parse(event.at) - Date.now()) < 60_000, event.at);
      assert.equal(event.via, undefined);
    }
    const text = JSON.stringify(app().events);
    for (const secret of [
      pwd,
      'fresh-password',
      b64(pwd),
      token,
      second,
      third,
      fourth,
      fifth,
      next,
      hashToken(token),
      hashToken(next),
    ]) {
      assert.ok(!text.includes(secret), 'an event holds a secret');
    }
    const hashes = (await db().sql('SELECT password_hash FROM accounts')) as { password_hash: string }[];
    for (const { password_hash } of hashes) assert.ok(!text.includes(password_hash));
  });

  it('delivers the same events to listeners, despite the ones that throw or never settle', async () => {
    const handle = uniqueLogin('listen');
    assert.equal((await api.post('/api/auth/register', { handle, pwd: b64('secret-password') })).status, 200);
    for (let i = 0; i < 3; i++) {
      const reply = await api.post('/api/auth/login', { handle, pwd: b64('secret-password') });
      assert.equal(reply.status, 200, 'a failing listener never fails the request');
    }
    await sleep(100);
    const mine = delivered.filter((e) => e.login === handle);
    assert.equal(mine.length, 3);
    assert.deepEqual(
      mine,
      eventsOf(handle).filter((e) => e.event === 'sign-in.succeeded'),
    );
  });

  it('names the account in a failed sign-in when it exists, and records each 429 of the lockout', async () => {
    const { login } = await api.account();
    const ghost = uniqueLogin('ghost');
    for (let i = 0; i < 3; i++) await from('/auth', { login, password: 'wrong-password' });
    await from('/auth', { login: ghost, password: 'wrong-password' });
    const events = eventsOf(login);
    const accountId = events.find((e) => e.event === 'account.registered')!.accountId;
    assert.deepEqual(
      events.filter((e) => e.event.startsWith('sign-in.') && e.address === A).map((e) => [e.event, e.accountId]),
      [
        ['sign-in.failed', accountId],
        ['sign-in.failed', accountId],
        ['sign-in.locked-out', accountId],
      ],
    );
    assert.deepEqual(
      eventsOf(ghost).map((e) => [e.event, e.accountId]),
      [['sign-in.failed', null]],
    );
  });

  it('records the background deletion of expired tokens as token.revoked with cause expiry', async () => {
    const { login } = await api.account();
    await api.post('/auth', { login, password: 'secret-password' });
    clock.advance(3_600_000 + 1000);
    let expiry: SecurityEvent | undefined;
    for (const deadline = Date.now() + 5_000; !expiry && Date.now() < deadline; await sleep(100)) {
      expiry = eventsOf(login).find((e) => e.event === 'token.revoked' && e.cause === 'expiry');
    }
    assert.ok(expiry, 'no expiry event');
    assert.equal(expiry.count, 2);
    assert.equal(expiry.address, null);
    const rows = await db().sql('SELECT COUNT(*) AS n FROM tokens WHERE account_id = ?', [expiry.accountId]);
    assert.equal(Number((rows[0] as { n: unknown }).n), 0);
  });
});
