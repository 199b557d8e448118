import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { assertRedisReachable, rawRedis, REDIS_SKIP, TEST_REDIS_URL, testPrefix } from '../../test/support/redis';
import type { RevocationEvent } from './revocation-bus';
import { RedisRevocationBus } from './redis-revocation.bus';
import { SharedStore } from '../shared-store/shared-store';

/** Everything the bus tells a listener from now on. */
function collect(bus: RedisRevocationBus): { events: RevocationEvent[]; stop: () => void } {
  const events: RevocationEvent[] = [];
  const stop = bus.subscribe((event) => events.push(event));
  return { events, stop };
}

/** Waits until `condition` holds, or `ms` have passed. */
async function until(condition: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await sleep(10);
}

// The warnings an unreachable Redis causes are expected here.
Logger.overrideLogger(false);

describe('RedisRevocationBus (real Redis)', { skip: REDIS_SKIP }, () => {
  const prefix = testPrefix();
  const stores: SharedStore[] = [];
  let raw: Redis;

  async function instance(storePrefix = prefix): Promise<RedisRevocationBus> {
    const store = new SharedStore(TEST_REDIS_URL, storePrefix);
    stores.push(store);
    await store.onModuleInit();
    const bus = new RedisRevocationBus(store);
    await bus.onModuleInit();
    return bus;
  }

  before(() => {
    assertRedisReachable();
    raw = rawRedis();
  });
  after(async () => {
    for (const store of stores) await store.onApplicationShutdown();
    raw?.disconnect();
  });

  it("tells this instance's listeners at once and the other instances' soon after, each once", async () => {
    const a = await instance();
    const b = await instance();
    const heardByA = collect(a);
    const heardByB = collect(b);
    a.publish({ tokenIds: [7, 8], reason: 'revoked' });
    assert.deepEqual(
      heardByA.events,
      [{ tokenIds: [7, 8], reason: 'revoked' }],
      'synchronously, before publish returns',
    );
    await until(() => heardByB.events.length > 0);
    assert.deepEqual(heardByB.events, [{ tokenIds: [7, 8], reason: 'revoked' }]);
    await sleep(200);
    assert.equal(heardByA.events.length, 1, 'its own message coming back through Redis is ignored');
    assert.equal(heardByB.events.length, 1);
    heardByA.stop();
    heardByB.stop();
  });

  it('does not hear a deployment with another prefix', async () => {
    const a = await instance();
    const elsewhere = await instance(testPrefix());
    const heard = collect(a);
    elsewhere.publish({ tokenIds: [1], reason: 'revoked' });
    await sleep(300);
    assert.deepEqual(heard.events, []);
    heard.stop();
  });

  it('ignores malformed messages on its channel', async () => {
    const a = await instance();
    const heard = collect(a);
    const channel = `${prefix}revocations`;
    for (const message of [
      'not json',
      'null',
      '[]',
      JSON.stringify({ origin: 'x', tokenIds: [1], reason: 'because' }),
      JSON.stringify({ origin: 'x', tokenIds: ['1'], reason: 'revoked' }),
      JSON.stringify({ origin: 'x', tokenIds: [0], reason: 'revoked' }),
      JSON.stringify({ origin: 'x', tokenIds: [1.5], reason: 'revoked' }),
      JSON.stringify({ origin: 'x', tokenIds: 1, reason: 'revoked' }),
      JSON.stringify({ tokenIds: [1], reason: 'revoked' }),
    ]) {
      await raw.publish(channel, message);
    }
    await raw.publish(channel, JSON.stringify({ origin: 'another', tokenIds: [42], reason: 'expired' }));
    await until(() => heard.events.length > 0);
    await sleep(100);
    assert.deepEqual(heard.events, [{ tokenIds: [42], reason: 'expired' }], 'only the well-formed one');
    heard.stop();
  });

  it('with Redis unreachable, still tells its own listeners and never throws', async () => {
    const store = new SharedStore('redis://127.0.0.1:1', testPrefix());
    stores.push(store);
    const started = Date.now();
    await store.onModuleInit();
    const bus = new RedisRevocationBus(store);
    await bus.onModuleInit();
    assert.ok(Date.now() - started < 3_000, `start-up waited ${Date.now() - started} ms`);
    const heard = collect(bus);
    assert.doesNotThrow(() => bus.publish({ tokenIds: [3], reason: 'revoked' }));
    assert.deepEqual(heard.events, [{ tokenIds: [3], reason: 'revoked' }]);
    heard.stop();
  });
});
