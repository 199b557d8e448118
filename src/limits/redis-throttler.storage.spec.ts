import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { keysUnder, REDIS_SKIP, sharedStoreSuite } from '../../test/support/redis';
import { RedisThrottlerStorage } from './redis-throttler.storage';

interface Call {
  key: string;
  name?: string;
  limit: number;
  ttl: number;
  block: number;
}

/** What the guard reads; timeToBlockExpire only matters (and is only compared) while blocked. */
function view(record: { totalHits: number; timeToExpire: number; isBlocked: boolean; timeToBlockExpire: number }) {
  return { ...record, timeToBlockExpire: record.isBlocked ? record.timeToBlockExpire : 0 };
}

describe('RedisThrottlerStorage (real Redis)', { skip: REDIS_SKIP }, () => {
  const suite = sharedStoreSuite();
  const { prefix } = suite;
  let redis: RedisThrottlerStorage;
  let memory: ThrottlerStorageService;
  let raw: Redis;
  let run = 0;

  before(() => {
    redis = new RedisThrottlerStorage(suite.shared());
    raw = suite.raw();
  });

  /** Makes the same call on the throttler's own in-memory storage and on Redis: same answer. */
  async function both(call: Call, label: string) {
    const name = call.name ?? 'default';
    const key = `run${run}:${call.key}`;
    const expected = view(await memory.increment(key, call.ttl, call.limit, call.block, name));
    const actual = view(await redis.increment(key, call.ttl, call.limit, call.block, name));
    assert.deepEqual(actual, expected, label);
    return actual;
  }

  function fresh() {
    memory?.onApplicationShutdown();
    memory = new ThrottlerStorageService();
    run++;
  }

  it('with a block duration: counts up to the limit, blocks the hit over it for blockDuration, then starts again', async () => {
    fresh();
    const call = { key: 'addr', limit: 3, ttl: 1_000, block: 1_500 };
    for (let i = 1; i <= 3; i++) {
      assert.deepEqual(await both(call, `hit ${i}`), {
        totalHits: i,
        timeToExpire: 1,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    }
    assert.deepEqual(await both(call, 'over the limit'), {
      totalHits: 4,
      timeToExpire: 1,
      isBlocked: true,
      timeToBlockExpire: 2,
    });
    // Blocked attempts are not counted, and the block outlasts the hits' own ttl.
    assert.deepEqual(await both(call, 'blocked'), {
      totalHits: 4,
      timeToExpire: 1,
      isBlocked: true,
      timeToBlockExpire: 2,
    });
    await sleep(1_100);
    const stillBlocked = await both(call, 'hits expired, block not');
    assert.equal(stillBlocked.isBlocked, true);
    assert.equal(stillBlocked.timeToBlockExpire, 1);
    await sleep(600);
    assert.deepEqual(await both(call, 'after the block'), {
      totalHits: 1,
      timeToExpire: 1,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('without a block duration: a sliding window where each hit expires ttl after it was made', async () => {
    fresh();
    const call = { key: 'addr', limit: 2, ttl: 2_000, block: 0 };
    await both(call, 'first hit');
    await sleep(1_000);
    assert.equal((await both(call, 'second hit')).totalHits, 2);
    const refused = await both(call, 'third hit');
    assert.deepEqual(refused, { totalHits: 3, timeToExpire: 1, isBlocked: true, timeToBlockExpire: 1 });
    await sleep(1_300); // the first hit has expired, the second has not
    const allowed = await both(call, 'after the first hit expired');
    assert.equal(allowed.isBlocked, false);
    assert.equal(allowed.totalHits, 2);
    assert.equal((await both(call, 'at the limit again')).isBlocked, true);
  });

  it('keeps keys and throttlers apart, and a block applies to the whole key', async () => {
    fresh();
    const a = { key: 'a', limit: 1, ttl: 60_000, block: 60_000 };
    await both(a, 'a 1');
    assert.equal((await both({ ...a, key: 'b' }, 'b 1')).isBlocked, false);
    assert.equal((await both({ ...a, name: 'other', limit: 5 }, 'a, other throttler')).totalHits, 1);
    assert.equal((await both(a, 'a 2')).isBlocked, true);
    assert.deepEqual(await both({ ...a, name: 'other', limit: 5 }, 'a, other throttler while a is blocked'), {
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: true,
      timeToBlockExpire: 60,
    });
  });

  it('lets no more than the limit through a concurrent burst', async () => {
    fresh();
    const records = await Promise.all(
      Array.from({ length: 30 }, () => redis.increment(`run${run}:burst`, 60_000, 10, 60_000, 'default')),
    );
    assert.equal(records.filter((r) => !r.isBlocked).length, 10);
  });

  it('sets an expiry on every key it writes, no longer than what still matters', async () => {
    fresh();
    await redis.increment(`run${run}:expiry`, 1_000, 1, 5_000, 'default');
    await redis.increment(`run${run}:expiry`, 1_000, 1, 5_000, 'default'); // blocked for 5 s
    const keys = (await keysUnder(raw, `${prefix}throttle:`)).flat();
    assert.ok(keys.length >= 2);
    for (const key of keys) {
      const left = await raw.pttl(key);
      assert.ok(left > 0 && left <= 60_000, `${key}: ${left}`);
      assert.doesNotMatch(key, /run\d|expiry|burst|default/, 'keys are digests');
    }
  });

  after(() => memory?.onApplicationShutdown());
});
