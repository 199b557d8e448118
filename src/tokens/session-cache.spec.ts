import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Session } from './session';
import { SessionCache } from './session-cache';
import { testSession } from './session.spec-helpers';

const MAX_AGE = 750;

const session = (tokenId: number, expiresAt = 1_000_000): Session => testSession(tokenId, expiresAt);

/** A cache holding `ids` (hash `h<id>`), checked at `now`. */
function cacheWith(ids: number[], now = 0, maxEntries = 100): SessionCache {
  const cache = new SessionCache(maxEntries, MAX_AGE);
  for (const id of ids) cache.set(`h${id}`, session(id), now, cache.generation);
  return cache;
}

describe('SessionCache', () => {
  it('serves an answer for maxAgeMs after the check, then makes the next check go to the database', () => {
    const cache = cacheWith([1], 1_000);
    assert.equal(cache.get('h1', 1_000)?.tokenId, 1);
    assert.equal(cache.get('h1', 1_000 + MAX_AGE - 1)?.tokenId, 1);
    assert.equal(cache.get('h1', 1_000 + MAX_AGE), undefined);
    // Gone, not merely hidden: an earlier time does not bring it back.
    assert.equal(cache.get('h1', 1_000), undefined);
  });

  it('never serves a session past its token expiry, however fresh the check', () => {
    const cache = new SessionCache(10, MAX_AGE);
    cache.set('h1', session(1, 1_100), 1_000, cache.generation);
    assert.equal(cache.get('h1', 1_099)?.tokenId, 1);
    assert.equal(cache.get('h1', 1_100), undefined);
  });

  it('forgets a revoked token at once', () => {
    const cache = cacheWith([1, 2]);
    cache.forgetTokens([1]);
    assert.equal(cache.get('h1', 0), undefined);
    assert.equal(cache.get('h2', 0)?.tokenId, 2, 'the other token stays');
  });

  it('does not store the answer of a lookup that was under way when a token was forgotten', () => {
    const cache = new SessionCache(10, MAX_AGE);
    // A lookup reads the generation, then queries the database...
    const before = cache.generation;
    // ...meanwhile the token is revoked (it was not cached yet: only the generation can tell)...
    cache.forgetTokens([7]);
    assert.notEqual(cache.generation, before);
    // ...and the lookup's now stale answer must not be served afterwards.
    cache.set('h7', session(7), 0, before);
    assert.equal(cache.get('h7', 0), undefined);
    // A lookup started after the revocation stores its answer as usual.
    cache.set('h7', session(7), 0, cache.generation);
    assert.equal(cache.get('h7', 0)?.tokenId, 7);
  });

  it('forgets several tokens at once, and refuses answers read before', () => {
    const cache = cacheWith([1, 2]);
    const before = cache.generation;
    cache.forgetTokens([1, 2]);
    assert.equal(cache.get('h1', 0), undefined);
    assert.equal(cache.get('h2', 0), undefined);
    cache.set('h1', session(1), 0, before);
    assert.equal(cache.get('h1', 0), undefined);
  });

  it('holds at most maxEntries, dropping the least recently checked', () => {
    const cache = cacheWith([1, 2, 3], 0, 3);
    // Checking token 1 again makes it the newest.
    cache.set('h1', session(1), 10, cache.generation);
    cache.set('h4', session(4), 10, cache.generation);
    assert.equal(cache.get('h2', 10), undefined, 'the oldest went');
    for (const id of [1, 3, 4]) assert.equal(cache.get(`h${id}`, 10)?.tokenId, id);
    for (let id = 5; id < 1_005; id++) cache.set(`h${id}`, session(id), 10, cache.generation);
    const kept = Array.from({ length: 1_005 }, (_, id) => cache.get(`h${id}`, 10)?.tokenId).filter(
      (id) => id !== undefined,
    );
    assert.deepEqual(kept, [1002, 1003, 1004]);
  });

  it('can still forget a token after an eviction (its id no longer points at a dropped entry)', () => {
    const cache = cacheWith([1, 2], 0, 2);
    cache.set('h3', session(3), 0, cache.generation); // evicts 1
    cache.set('h1-again', session(1), 0, cache.generation); // token 1 checked anew: evicts 2
    cache.forgetTokens([1]);
    assert.equal(cache.get('h1-again', 0), undefined);
    assert.equal(cache.get('h3', 0)?.tokenId, 3);
  });
});
