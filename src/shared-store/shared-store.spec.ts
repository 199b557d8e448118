import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { assertRedisReachable, dropPrefix, REDIS_SKIP, TEST_REDIS_URL, testPrefix } from '../../test/support/redis';
import { TcpProxy } from '../../test/support/tcp-proxy';
import type { RevocationEvent } from '../tokens/revocation-bus';
import { RedisRevocationBus } from '../tokens/redis-revocation.bus';
import { RedisLoginFailureStore } from '../limits/redis-login-failure.store';
import { SharedStore } from './shared-store';
import { SharedStoreUnavailableError } from './shared-store-errors';

async function failure(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  assert.fail('the command succeeded');
}

// The warnings an unreachable Redis causes are expected here.
Logger.overrideLogger(false);

describe('SharedStore', () => {
  it('starts without Redis and fails commands at once with SharedStoreUnavailableError', async () => {
    const store = new SharedStore('redis://127.0.0.1:1', testPrefix());
    try {
      await store.onModuleInit();
      const counters = new RedisLoginFailureStore(store);
      const { error, ms } = await failure(counters.increment('k', 1_000));
      assert.ok(error instanceof SharedStoreUnavailableError, String(error));
      assert.equal(error.code, 'SHARED_STORE_UNAVAILABLE');
      assert.ok(ms < 500, `took ${ms} ms`);
      assert.ok(!error.message.includes('redis://'), error.message);
    } finally {
      await store.onApplicationShutdown();
    }
  });

  describe('a Redis that accepts connections and never answers', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    before(async () => {
      server = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('holds start-up for no more than the connect timeout, then fails commands fast', async () => {
      const { port } = server.address() as { port: number };
      const store = new SharedStore(`redis://127.0.0.1:${port}`, testPrefix());
      try {
        const started = Date.now();
        await store.onModuleInit();
        assert.ok(Date.now() - started < 4_000, `start-up waited ${Date.now() - started} ms`);
        const { error, ms } = await failure(new RedisLoginFailureStore(store).increment('k', 1_000));
        assert.ok(error instanceof SharedStoreUnavailableError, String(error));
        assert.ok(ms < 2_500, `took ${ms} ms`);
      } finally {
        await store.onApplicationShutdown();
      }
    });
  });

  describe('with the real Redis', { skip: REDIS_SKIP }, () => {
    before(assertRedisReachable);

    it('fails fast while Redis is paused or cut, then recovers by itself, subscriptions included', async () => {
      const target = new URL(TEST_REDIS_URL);
      const proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
      const prefix = testPrefix();
      const viaProxy = new SharedStore(`redis://127.0.0.1:${proxy.port}`, prefix);
      const direct = new SharedStore(TEST_REDIS_URL, prefix);
      try {
        await Promise.all([viaProxy.onModuleInit(), direct.onModuleInit()]);
        const counters = new RedisLoginFailureStore(viaProxy);
        const listening = new RedisRevocationBus(viaProxy);
        const sending = new RedisRevocationBus(direct);
        await Promise.all([listening.onModuleInit(), sending.onModuleInit()]);
        const heard: RevocationEvent[] = [];
        listening.subscribe((event) => heard.push(event));
        assert.equal((await counters.increment('k', 60_000)).count, 1);

        proxy.stall();
        const paused = await failure(counters.increment('k', 60_000));
        assert.ok(paused.error instanceof SharedStoreUnavailableError, String(paused.error));
        assert.ok(paused.ms < 3_000, `paused: took ${paused.ms} ms`);
        proxy.cut();
        await sleep(200); // the client notices the closed connection; from then on, no waiting
        const cut = await failure(counters.increment('k', 60_000));
        assert.ok(cut.error instanceof SharedStoreUnavailableError, String(cut.error));
        assert.ok(cut.ms < 500, `cut: took ${cut.ms} ms`);

        proxy.resume();
        const deadline = Date.now() + 20_000;
        let count: number | undefined;
        while (count === undefined && Date.now() < deadline) {
          count = await counters.increment('k', 60_000).then(
            (w) => w.count,
            () => undefined,
          );
          if (count === undefined) await sleep(100);
        }
        assert.ok(count !== undefined, 'commands did not recover');
        assert.ok(count >= 2, 'the count made before the outage is kept');
        while (heard.length === 0 && Date.now() < deadline) {
          sending.publish({ tokenIds: [5], reason: 'revoked' });
          await sleep(200);
        }
        assert.deepEqual(heard[0], { tokenIds: [5], reason: 'revoked' }, 'the subscription was not renewed');
      } finally {
        await viaProxy.onApplicationShutdown();
        await direct.onApplicationShutdown();
        await proxy.close();
        await dropPrefix(prefix);
      }
    });

    it('keeps a bug in a script a bug, not an outage', async () => {
      const store = new SharedStore(TEST_REDIS_URL, testPrefix());
      try {
        await store.onModuleInit();
        const broken = store.defineScript('gatehouseBroken', 0, "return redis.call('NOSUCHCOMMAND')");
        const { error } = await failure(broken([], []));
        assert.ok(!(error instanceof SharedStoreUnavailableError), String(error));
      } finally {
        await store.onApplicationShutdown();
      }
    });
  });
});
