import assert from 'node:assert/strict';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { PrivateRedis, REDIS_SKIP, sharedStoreSuite, testPrefix } from '../../test/support/redis';
import { ManualClock } from '../clock/clock';
import { parseConfig } from '../config/config';
import { SharedStore } from '../shared-store/shared-store';
import { TokenFailureLimiter } from './token-failure-limiter';

const config = (limit: number) => parseConfig({ TOKEN_FAILURES_PER_MINUTE: String(limit) });

/** Resolves once `check` holds, or fails after `ms`. */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(10);
  }
}

describe('TokenFailureLimiter, in memory', () => {
  it('blocks an address once it had the limit of refusals in its window, until the window ends', async () => {
    const clock = new ManualClock(1_000_000);
    const limiter = new TokenFailureLimiter(config(3), clock, null);
    assert.equal(limiter.blocking, false);
    limiter.refused('203.0.113.7');
    limiter.refused('203.0.113.7');
    await tick();
    assert.equal(limiter.retryAfter('203.0.113.7'), 0);
    clock.advance(20_000);
    limiter.refused('203.0.113.7');
    await tick();
    assert.equal(limiter.blocking, true);
    assert.equal(limiter.retryAfter('203.0.113.7'), 40, 'until the minute that began with the first refusal ends');
    assert.equal(limiter.retryAfter('203.0.113.8'), 0, 'another address is not affected');
    clock.advance(39_500);
    assert.equal(limiter.retryAfter('203.0.113.7'), 1);
    clock.advance(500);
    assert.equal(limiter.retryAfter('203.0.113.7'), 0);
    assert.equal(limiter.blocking, false, 'an ended block is forgotten');
    limiter.refused('203.0.113.7');
    await tick();
    assert.equal(limiter.retryAfter('203.0.113.7'), 0, 'a new window starts from one');
  });

  it('counts an IPv6 address by its /64', async () => {
    const limiter = new TokenFailureLimiter(config(2), new ManualClock(), null);
    limiter.refused('2001:db8:0:1::1');
    limiter.refused('2001:db8:0:1::2');
    await tick();
    assert.ok(limiter.retryAfter('2001:db8:0:1:ffff::9') > 0);
    assert.equal(limiter.retryAfter('2001:db8:0:2::1'), 0);
  });

  it('counts nothing with TOKEN_FAILURES_PER_MINUTE=0', async () => {
    const limiter = new TokenFailureLimiter(config(0), new ManualClock(), null);
    for (let i = 0; i < 10; i++) limiter.refused('203.0.113.7');
    await tick();
    assert.equal(limiter.blocking, false);
  });
});

describe('TokenFailureLimiter, with Redis (real Redis)', { skip: REDIS_SKIP }, () => {
  const suite = sharedStoreSuite();

  it('keeps one count across instances, and the instance that reaches the limit tells the others', async () => {
    const clock = new ManualClock();
    // Two instances on one store, each subscribed as it would be in its own process.
    const a = new TokenFailureLimiter(config(4), clock, suite.shared());
    const b = new TokenFailureLimiter(config(4), clock, suite.shared());
    await a.onModuleInit();
    await b.onModuleInit();
    for (const limiter of [a, a, a]) limiter.refused('198.51.100.4');
    await sleep(100);
    assert.equal(a.retryAfter('198.51.100.4'), 0);
    b.refused('198.51.100.4');
    await eventually(() => b.retryAfter('198.51.100.4') > 0, 2000, 'blocked where the limit was reached');
    await eventually(() => a.retryAfter('198.51.100.4') > 0, 2000, 'blocked on the other instance');
    assert.ok(a.retryAfter('198.51.100.4') <= 60);
    assert.equal(a.retryAfter('198.51.100.5'), 0);
  });

  describe('while Redis cannot be reached', () => {
    let redis: PrivateRedis | undefined;
    let shared: SharedStore | undefined;
    after(async () => {
      await shared?.onApplicationShutdown();
      await redis?.stop();
    });

    it('counts on this instance alone, and never throws', async () => {
      redis = await PrivateRedis.start();
      shared = new SharedStore(redis.url, testPrefix());
      await shared.onModuleInit();
      const limiter = new TokenFailureLimiter(config(3), new ManualClock(), shared);
      await limiter.onModuleInit();
      await redis.stop();
      for (let i = 0; i < 3; i++) limiter.refused('192.0.2.10');
      await eventually(() => limiter.retryAfter('192.0.2.10') > 0, 5000, 'blocked from the local count');
    });
  });
});
