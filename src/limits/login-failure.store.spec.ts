import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLoginFailureStore } from './login-failure.store';

describe('MemoryLoginFailureStore', () => {
  it('counts attempts in a window that opens with the first one and ends after windowMs', async () => {
    let now = 1_000;
    const store = new MemoryLoginFailureStore(10, () => now);
    assert.deepEqual(await store.increment('k', 500), { count: 1, resetAt: 1_500 });
    now = 1_200;
    assert.deepEqual(await store.increment('k', 500), { count: 2, resetAt: 1_500 });
    now = 1_500;
    assert.deepEqual(await store.increment('k', 500), { count: 1, resetAt: 2_000 });
  });

  it('takes an attempt back and forgets a key', async () => {
    const store = new MemoryLoginFailureStore();
    await store.increment('a', 60_000);
    await store.increment('a', 60_000);
    await store.decrement('a');
    assert.equal((await store.increment('a', 60_000)).count, 2);
    await store.clear('a');
    assert.equal((await store.increment('a', 60_000)).count, 1);
    await store.decrement('a');
    assert.equal(store.size, 0);
    await store.decrement('missing');
    assert.equal(store.size, 0);
  });

  it('keeps separate keys apart', async () => {
    const store = new MemoryLoginFailureStore();
    await store.increment('alice\u0000127.0.0.1', 60_000);
    await store.increment('alice\u0000127.0.0.1', 60_000);
    assert.equal((await store.increment('alice\u0000127.0.0.2', 60_000)).count, 1);
  });

  it('stays within maxKeys, dropping expired windows first, then the oldest', async () => {
    let now = 0;
    const store = new MemoryLoginFailureStore(3, () => now);
    await store.increment('old', 10);
    await store.increment('b', 1_000);
    await store.increment('c', 1_000);
    now = 20; // 'old' has expired
    await store.increment('d', 1_000);
    assert.equal(store.size, 3);
    assert.equal((await store.increment('b', 1_000)).count, 2, 'a live window survives while an expired one can go');
    await store.increment('e', 1_000); // full, nothing expired: the oldest ('b') goes
    assert.equal(store.size, 3);
    assert.equal((await store.increment('c', 1_000)).count, 2);
    for (let i = 0; i < 100; i++) await store.increment(`flood-${i}`, 1_000);
    assert.equal(store.size, 3);
  });
});
