import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client } from './support/http';

eachEngine(__filename, (db) => {
  // A real cost, so that hashes pile up behind the pool's threads.
  const running = appPerSuite(db, { BCRYPT_COST: '10' });
  // The queued sign-ins are answered one hash at a time: on a busy machine that takes a while.
  const api = client(() => running().url, { timeoutMs: 90_000 });

  it(
    "answers 503 in the dialect's shape once the hashing queue is full, and serves again afterwards",
    { timeout: 120_000 },
    async () => {
      const { login, password } = await api.account();
      // The pool queues 50 hashes per thread; send well over that at once, half through each dialect.
      const burst = availableParallelism() * 50 * 2 + 50;
      const replies = await Promise.all(
        Array.from({ length: burst }, (_, i) =>
          i % 2 === 0
            ? api.post('/auth', { login, password })
            : api.post('/api/auth/login', { handle: login, pwd: b64(password) }),
        ),
      );
      const byStatus = new Map<number, number>();
      for (const reply of replies) byStatus.set(reply.status, (byStatus.get(reply.status) ?? 0) + 1);
      assert.deepEqual([...byStatus.keys()].sort(), [200, 503], JSON.stringify([...byStatus]));
      assert.ok((byStatus.get(200) ?? 0) >= availableParallelism() * 50, `served ${byStatus.get(200)}`);
      for (const [i, reply] of replies.entries()) {
        if (reply.status !== 503) continue;
        const message = 'too many sign-ins in progress, try again shortly';
        assert.deepEqual(
          reply.body,
          i % 2 === 0
            ? { error: 'Service Unavailable', message }
            : { status: 'error', error: 'Service Unavailable', message },
        );
      }
      // Refusals were not counted as failed sign-ins, and the queue has drained.
      const after = await api.post('/auth', { login, password });
      assert.equal(after.status, 200);
      assert.equal((await api.get('/api/auth/me', { Authentication: after.body.token })).status, 200);
    },
  );
});
