import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { AuditWriter } from './audit-writer';
import { OwnerEventFlush } from './owner-event-flush';

describe('OwnerEventFlush', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('writes what waits every second, goes on after a failure, and stops with the tool', () => {
    let flushes = 0;
    const writer = {
      flush: () => (++flushes === 1 ? Promise.reject(new Error('database unavailable')) : Promise.resolve()),
    } as unknown as AuditWriter;
    const flush = new OwnerEventFlush(writer);
    flush.onApplicationBootstrap();
    mock.timers.tick(999);
    assert.equal(flushes, 0);
    mock.timers.tick(1);
    mock.timers.tick(1000);
    assert.equal(flushes, 2);
    flush.onApplicationShutdown();
    mock.timers.tick(5000);
    assert.equal(flushes, 2);
  });
});
