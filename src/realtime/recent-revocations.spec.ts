import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentRevocations } from './recent-revocations';

describe('RecentRevocations', () => {
  it('remembers a revoked id for maxAgeMs only', () => {
    const recent = new RecentRevocations(1000, 10);
    recent.add([1, 2], 5000);
    assert.equal(recent.has(1, 5000), true);
    assert.equal(recent.has(2, 5999), true);
    assert.equal(recent.has(2, 6000), false);
    assert.equal(recent.has(3, 5000), false);
  });

  it('keeps at most maxEntries, forgetting the oldest first', () => {
    const recent = new RecentRevocations(60_000, 3);
    recent.add([1, 2, 3], 0);
    recent.add([4], 1);
    assert.equal(recent.size, 3);
    assert.equal(recent.has(1, 2), false);
    assert.equal(recent.has(4, 2), true);
  });

  it('renews an id revoked again, and drops stale entries as new ones arrive', () => {
    const recent = new RecentRevocations(1000, 100);
    recent.add([1], 0);
    recent.add([2], 500);
    recent.add([1], 900);
    assert.equal(recent.has(1, 1500), true);
    recent.add([3], 1600);
    assert.equal(recent.size, 2);
    assert.equal(recent.has(2, 1600), false);
  });
});
