import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clock, ManualClock } from '../clock/clock';
import { MemoryLoginFailureStore } from './login-failure.store';

describe('MemoryLoginFailureStore', () => {
  it('counts attempts in a window that opens with the first one and ends after windowMs', async () => {
    const clock = new ManualClock(1_000);
    const store = new MemoryLoginFailureStore(clock, 10);
    assert.deepEqual(await store.increment('k', 500), { count: 1, resetAt: 1_500 });
    clock.set(1_200);
    assert.deepEqual(await store.increment('k', 500), { count: 2, resetAt: 1_500 });
    clock.set(1_500);
    assert.deepEqual(await store.increment('k', 500), { count: 1, resetAt: 2_000 });
  });

  it('takes an attempt back and forgets a key', async () => {
    const store = new MemoryLoginFailureStore(new Clock());
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
    const store = new MemoryLoginFailureStore(new Clock());
    await store.increment('alice\u0000127.0.0.1', 60_000);
    await store.increment('alice\u0000127.0.0.1', 60_000);
    assert.equal((await store.increment('alice\u0000127.0.0.2', 60_000)).count, 1);
  });

  it('stays within maxKeys, freeing expired windows first, then single failures, then the oldest', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryLoginFailureStore(clock, 10);
    await store.increment('expiring', 10);
    for (let i = 0; i < 3; i++) await store.increment('near-lockout', 1_000);
    for (let i = 0; i < 8; i++) await store.increment(`single-${i}`, 1_000);
    assert.equal(store.size, 10);
    clock.set(20); // 'expiring' is over
    await store.increment('new', 1_000); // full: frees down to 9, then adds
    assert.equal(store.size, 10);
    assert.equal((await store.increment('near-lockout', 1_000)).count, 4, 'the expired window went, not this one');
    for (let i = 0; i < 1_000; i++) await store.increment(`flood-${i}`, 1_000);
    assert.ok(store.size <= 10);
    assert.equal(
      (await store.increment('near-lockout', 1_000)).count,
      5,
      'a flood of first failures does not erase it',
    );
  });

  it('drops the oldest windows when every window holds several failures', async () => {
    const store = new MemoryLoginFailureStore(new Clock(), 10);
    for (let k = 0; k < 10; k++) for (let i = 0; i < 2; i++) await store.increment(`k${k}`, 60_000);
    await store.increment('newcomer', 60_000);
    assert.ok(store.size <= 10);
    assert.equal((await store.increment('k0', 60_000)).count, 1, 'the oldest went');
    assert.equal((await store.increment('k9', 60_000)).count, 3, 'a recent one stayed');
  });
});
