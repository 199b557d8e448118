import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { OffsetClock } from '../src/clock/clock';
import { TokenUseRecorder } from '../src/tokens/token-use-recorder';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { client } from './support/http';
import { closeSockets, dropped as droppedWithin, openSocket } from './support/sockets';

const MINUTE = 60_000;

eachEngine(__filename, (db) => {
  describe('with TOKEN_IDLE_TTL=2m', () => {
    const clock = new OffsetClock();
    const app = appPerSuite(db, { TOKEN_IDLE_TTL: '2m', TOKEN_SWEEP_INTERVAL: '0.3s' }, [], { clock });
    afterEach(closeSockets);
    const api = client(() => app().url);
    const me = async (token: string) => (await api.get('/api/auth/me', { Authentication: token })).status;
    /** Waits for the app to write noted uses and for a socket sweep (period 0.15 s) to pass. */
    const settle = async () => {
      await sleep(400);
      await app().app.get(TokenUseRecorder).flush();
    };

    it('refuses a token unused for the idle time, on REST and at the handshake, like an expired one', async () => {
      const { token } = await api.account();
      const { token: used } = await api.account();
      assert.equal(await me(used), 200);
      await settle();
      clock.advance(MINUTE + 30_000);
      assert.equal(await me(used), 200, 'used 1.5 minutes ago: still valid');
      await settle();
      clock.advance(MINUTE + 30_000);
      assert.equal(await me(used), 200, 'each use restarts the idle time');
      assert.equal(await me(token), 401, 'unused for 3 minutes');
      await assert.rejects(openSocket(app().url, token), /Unauthorized/);
      const sessions = await api.get('/api/auth/sessions', { Authentication: used });
      assert.equal(sessions.body.total, 1);
    });

    it('counts a connected socket as use, and drops idle sockets with reason expired', async () => {
      const { token: kept } = await api.account();
      const { token: other } = await api.account();
      const socket = await openSocket(app().url, kept);
      for (let i = 0; i < 4; i++) {
        await settle();
        clock.advance(MINUTE + 5_000);
      }
      await settle();
      assert.equal(socket.connected, true);
      assert.equal(await me(kept), 200, 'over 4 minutes with no request, but a socket connected all along');
      assert.equal(await me(other), 401);

      // Time jumps past the idle time between two sweeps: the socket goes as expired.
      const dropped = droppedWithin(socket, 2_000);
      clock.advance(3 * MINUTE);
      assert.deepEqual((await dropped).revoked, { reason: 'expired' });
      assert.equal(await me(kept), 401);
    });

    it('deletes idle rows in the background and records token.revoked with cause idle', async () => {
      const { login, token } = await api.account();
      clock.advance(3 * MINUTE);
      let event;
      for (const deadline = Date.now() + 5_000; !event && Date.now() < deadline; await sleep(100)) {
        event = app().events.find((e) => e.login === login && e.event === 'token.revoked' && e.cause === 'idle');
      }
      assert.ok(event, 'no idle event');
      const { hashToken } = await import('../src/tokens/token-secret');
      assert.deepEqual(await db().sql('SELECT id FROM tokens WHERE token_hash = ?', [hashToken(token)]), []);
    });
  });

  describe('listing sessions with TOKEN_IDLE_TTL=2m', () => {
    const clock = new OffsetClock();
    // No background sweep meanwhile: the idle row stays in the table, left out by the listing's own rule.
    const app = appPerSuite(db, { TOKEN_IDLE_TTL: '2m', TOKEN_SWEEP_INTERVAL: '1h' }, [], { clock });
    const api = client(() => app().url);
    const me = async (token: string) => (await api.get('/api/auth/me', { Authentication: token })).status;

    it('counts and lists only the live sessions, idle ones left out', async () => {
      const { login, password, token: idle } = await api.account();
      const signIn = async () => (await api.post('/auth', { login, password })).body.token as string;
      const used = await signIn();
      clock.advance(MINUTE + 30_000);
      const caller = await signIn();
      assert.equal(await me(used), 200);
      await app().app.get(TokenUseRecorder).flush();
      clock.advance(MINUTE);
      assert.equal(await me(idle), 401, 'issued 2.5 minutes ago and never used');
      const reply = await api.get('/api/auth/sessions', { Authentication: caller });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.total, 2);
      assert.deepEqual(
        reply.body.sessions.map((s: { current: boolean }) => s.current),
        [true, false],
      );
      const [{ n }] = (await db().sql(
        'SELECT COUNT(*) AS n FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE a.login = ?',
        [login],
      )) as { n: number | string }[];
      assert.equal(Number(n), 3, 'the idle row is still in the table');
    });
  });

  describe('with TOKEN_IDLE_TTL off (the default)', () => {
    const running = appPerSuite(db);
    it('keeps an unused token valid', async () => {
      const api = client(() => running().url);
      const { token } = await api.account();
      const { hashToken } = await import('../src/tokens/token-secret');
      await db().sql('UPDATE tokens SET created_at = ?, last_used_at = ? WHERE token_hash = ?', [
        Date.now() - 86_400_000,
        Date.now() - 86_400_000,
        hashToken(token),
      ]);
      assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);
    });
  });
});
