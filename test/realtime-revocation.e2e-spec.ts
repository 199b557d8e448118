import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { TransactionRunner } from '../src/database/transaction-runner';
import { SessionRevoker } from '../src/tokens/session-revoker';
import { TokenVerifier } from '../src/tokens/token-verifier';
import { hashToken } from '../src/tokens/token-secret';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { client } from './support/http';
import { ProbeModule, tokenRow, twoDevices } from './support/realtime';
import * as sockets from './support/sockets';

/** CONTRACT section 7: a socket lives no longer than its token, however the token goes. */

const WAIT_MS = 3000;

eachEngine(__filename, (db) => {
  const running = appPerSuite(db, {}, [ProbeModule]);
  const api = client(() => running().url);
  const { open, refusal } = sockets.socketsOf(() => running().url);
  afterEach(sockets.closeSockets);

  it('disconnects every socket of a token invalidated through the API at once, and only those', async () => {
    const { login, token1, token2 } = await twoDevices(() => running().url);
    const doomed = [
      await open({ auth: { token: token1 } }),
      await open({ extraHeaders: { Authentication: `Bearer ${token1}` } }),
      await open({ auth: { token: token1 } }, '/probe'),
    ];
    const survivor = await open({ auth: { token: token2 } });
    const endings = doomed.map((s) => sockets.dropped(s, 1000));
    let survivorEnded = false;
    survivor.on('disconnect', () => {
      survivorEnded = true;
    });
    const invalidated = await api.post('/api/auth/invalidate', { token: token1 }, { Authentication: token2 });
    assert.equal(invalidated.status, 200);
    for (const end of await Promise.all(endings)) {
      assert.equal(end.reason, 'io server disconnect');
      assert.deepEqual(end.revoked, { reason: 'revoked' });
    }
    await sleep(300);
    assert.equal(survivorEnded, false);
    assert.equal(survivor.connected, true);
    assert.deepEqual(await sockets.whoami(survivor), { status: 'ok', handle: login });
    assert.equal(await refusal({ auth: { token: token1 } }), 'Unauthorized');
  });

  it('lets no handshake racing an invalidation outlive the token', async () => {
    const { token1, token2 } = await twoDevices(() => running().url);
    const racers = Array.from({ length: 20 }, () => sockets.clientSocket(running().url, { auth: { token: token1 } }));
    const settled = racers.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`handshake unsettled after ${WAIT_MS} ms`)), WAIT_MS);
          s.once('connect', () => {
            clearTimeout(timer);
            resolve();
          });
          s.once('connect_error', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    );
    const invalidated = await api.post('/api/auth/invalidate', { token: token1 }, { Authentication: token2 });
    assert.equal(invalidated.status, 200);
    await Promise.all(settled);
    await sleep(300);
    assert.deepEqual(racers.filter((s) => s.connected).length, 0);
  });

  it('refuses a handshake whose token was revoked while its check was reading the database', async () => {
    const { token1, token2 } = await twoDevices(() => running().url);
    const tokens = running().app.get(TokenVerifier);
    const authenticate = tokens.authenticate;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let checked!: () => void;
    const checkedOnce = new Promise<void>((resolve) => (checked = resolve));
    // Holds token1's check between its database read and its answer.
    tokens.authenticate = async function (this: TokenVerifier, token: string) {
      const session = await authenticate.call(this, token);
      if (token === token1) {
        checked();
        await gate;
      }
      return session;
    };
    try {
      const pending = refusal({ auth: { token: token1 } });
      await checkedOnce;
      assert.equal((await api.post('/api/auth/invalidate', { token: token1 }, { Authentication: token2 })).status, 200);
      release();
      assert.equal(await pending, 'Unauthorized');
    } finally {
      tokens.authenticate = authenticate;
      release();
    }
  });

  it('disconnects every socket of an account when all its tokens are revoked (owner reset)', async () => {
    const { login, token1, token2 } = await twoDevices(() => running().url);
    const { accountId } = await tokenRow(db(), token1);
    const revokeAll = () =>
      running()
        .app.get(TransactionRunner)
        .run((manager) => running().app.get(SessionRevoker).revoke(manager, { id: accountId, login }, 'all', 'owner'));
    const other = await open({ auth: { token: (await api.account()).token } });
    const endings = [await open({ auth: { token: token1 } }), await open({ auth: { token: token2 } })].map((s) =>
      sockets.dropped(s, 1000),
    );
    assert.equal(await revokeAll(), 2);
    for (const end of await Promise.all(endings)) assert.deepEqual(end.revoked, { reason: 'revoked' });
    await sleep(200);
    assert.equal(other.connected, true);
  });

  describe('with a 2 s token lifetime and a 200 ms sweep', () => {
    const shortLived = appPerSuite(db, { TOKEN_TTL: '2s', TOKEN_SWEEP_INTERVAL: '0.2s' });

    it('disconnects a socket when its token expires, not before', async () => {
      const issuedAfter = performance.now();
      const { token } = await client(() => shortLived().url).account();
      const issuedBefore = performance.now();
      const s = await sockets.openSocket(shortLived().url, { auth: { token } });
      const end = sockets.dropped(s, 4000);
      await sleep(Math.max(0, issuedAfter + 1500 - performance.now()));
      assert.equal(s.connected, true);
      assert.equal((await sockets.whoami(s)).status, 'ok');
      const { at, reason, revoked } = await end;
      assert.deepEqual(revoked, { reason: 'expired' });
      assert.equal(reason, 'io server disconnect');
      assert.ok(at >= issuedAfter + 2000, `disconnected ${issuedAfter + 2000 - at} ms before expiry`);
      assert.ok(at <= issuedBefore + 2000 + 200 + 300, `disconnected ${at - issuedBefore - 2000} ms after expiry`);
      assert.equal(await sockets.refusal(shortLived().url, { auth: { token } }), 'Unauthorized');
    });
  });

  describe('with a 200 ms sweep', () => {
    const fastSweep = appPerSuite(db, { TOKEN_SWEEP_INTERVAL: '0.2s' });

    it('disconnects, within the sweep interval, a socket whose token another process deleted', async () => {
      const { login, token1, token2 } = await twoDevices(() => fastSweep().url);
      const doomed = await sockets.openSocket(fastSweep().url, { auth: { token: token1 } });
      const survivor = await sockets.openSocket(fastSweep().url, { auth: { token: token2 } });
      let survivorEnded = false;
      survivor.on('disconnect', () => {
        survivorEnded = true;
      });
      const end = sockets.dropped(doomed, 2000);
      const deletedAt = performance.now();
      await db().sql('DELETE FROM tokens WHERE token_hash = ?', [hashToken(token1)]);
      const { at, revoked } = await end;
      assert.deepEqual(revoked, { reason: 'revoked' });
      assert.ok(at - deletedAt <= 200 + 150, `disconnected ${at - deletedAt} ms after the delete`);
      await sleep(500);
      assert.equal(survivorEnded, false);
      assert.deepEqual(await sockets.whoami(survivor), { status: 'ok', handle: login });
    });
  });
});
