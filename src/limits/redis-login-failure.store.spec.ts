import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, it } from 'node:test';
import type Redis from 'ioredis';
import { keysUnder, REDIS_SKIP, sharedStoreSuite } from '../../test/support/redis';
import { counterKey } from '../shared-store/redis-key';
import { RedisLoginFailureStore } from './redis-login-failure.store';

describe('RedisLoginFailureStore (real Redis)', { skip: REDIS_SKIP }, () => {
  const suite = sharedStoreSuite();
  const { prefix } = suite;
  let store: RedisLoginFailureStore;
  let raw: Redis;

  before(() => {
    store = new RedisLoginFailureStore(suite.shared());
    raw = suite.raw();
  });

  it('counts attempts in a window that opens with the first one and ends windowMs later', async () => {
    const before = Date.now();
    const first = await store.increment('window', 60_000);
    assert.equal(first.count, 1);
    assert.ok(
      first.resetAt >= before + 59_000 && first.resetAt <= Date.now() + 60_000,
      `resetAt ${first.resetAt - before}`,
    );
    const second = await store.increment('window', 60_000);
    assert.equal(second.count, 2);
    // The second attempt does not move the end of the window.
    assert.ok(second.resetAt <= first.resetAt + 50, `moved by ${second.resetAt - first.resetAt} ms`);
  });

  it('starts again from one once the window has passed', async () => {
    assert.equal((await store.increment('short', 300)).count, 1);
    assert.equal((await store.increment('short', 300)).count, 2);
    await sleep(450);
    const again = await store.increment('short', 300);
    assert.equal(again.count, 1);
    assert.ok(again.resetAt > Date.now() && again.resetAt <= Date.now() + 300);
  });

  it('takes an attempt back, deletes a count that reaches zero, and forgets a key', async () => {
    const keyOf = (key: string) => prefix + counterKey('login-failures', key);
    await store.increment('a', 60_000);
    await store.increment('a', 60_000);
    await store.decrement('a');
    assert.equal(await raw.get(keyOf('a')), '1');
    const left = await raw.pttl(keyOf('a'));
    assert.ok(left > 50_000 && left <= 60_000, `the window's expiry stays: ${left}`);
    assert.equal((await store.increment('a', 60_000)).count, 2);
    await store.clear('a');
    assert.equal(await raw.exists(keyOf('a')), 0);
    assert.equal((await store.increment('a', 60_000)).count, 1);
    await store.decrement('a');
    assert.equal(await raw.exists(keyOf('a')), 0, 'a count of zero is deleted');
    await store.decrement('missing');
    assert.equal(await raw.exists(keyOf('missing')), 0, 'a decrement of nothing creates nothing');
  });

  it('keeps keys apart and stores neither login nor address in plain text', async () => {
    await store.increment('alice\u0000127.0.0.1', 60_000);
    await store.increment('alice\u0000127.0.0.1', 60_000);
    assert.equal((await store.increment('alice\u0000127.0.0.2', 60_000)).count, 1);
    const keys = (await keysUnder(raw, prefix)).flat();
    assert.ok(keys.length > 0);
    for (const key of keys) {
      assert.match(key, /^gatehouse-test:\d+:[0-9a-f]+:login-failures:[A-Za-z0-9_-]{43}$/);
      assert.doesNotMatch(key, /alice|127\.0\.0/);
    }
  });

  it('counts exactly once per attempt under concurrency (the script is atomic)', async () => {
    const windows = await Promise.all(Array.from({ length: 50 }, () => store.increment('burst', 60_000)));
    assert.deepEqual(
      windows.map((w) => w.count).sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });
});
