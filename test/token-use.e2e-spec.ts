import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { client } from './support/http';

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);

  const lastUsed = async (token: string): Promise<number | null> => {
    const { hashToken } = await import('../src/tokens/token-secret');
    const [row] = (await db().sql('SELECT last_used_at FROM tokens WHERE token_hash = ?', [hashToken(token)])) as {
      last_used_at: unknown;
    }[];
    return row.last_used_at === null ? null : Number(row.last_used_at);
  };

  it("records a token's use in the background, at most once a minute, not on every request", async () => {
    const { token } = await api.account();
    assert.equal(await lastUsed(token), null, 'a fresh token has not been used');
    const before = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => api.get('/api/auth/me', { Authentication: token })),
    );
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
    let recorded: number | null = null;
    for (const deadline = Date.now() + 10_000; recorded === null && Date.now() < deadline; await sleep(100)) {
      recorded = await lastUsed(token);
    }
    assert.ok(recorded !== null && recorded >= before - 1 && recorded <= Date.now(), `last used ${recorded}`);
    for (let i = 0; i < 20; i++) assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);
    await sleep(2_500); // more than one flush period
    assert.equal(await lastUsed(token), recorded, 'uses within the minute are not written again');
  });

  it('answers a burst of requests with one new token alike, and refuses it right after sign-out', async () => {
    const { token } = await api.account();
    const replies = await Promise.all(
      Array.from({ length: 30 }, () => api.get('/api/auth/me', { Authentication: token })),
    );
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
    const burst = Array.from({ length: 10 }, () => api.get('/api/auth/me', { Authentication: token }));
    const out = await api.post('/api/auth/invalidate', { token }, { Authentication: token });
    assert.equal(out.status, 200);
    await Promise.all(burst);
    const afterwards = await Promise.all(
      Array.from({ length: 10 }, () => api.get('/api/auth/me', { Authentication: token })),
    );
    assert.deepEqual(new Set(afterwards.map((r) => r.status)), new Set([401]));
  });
});
