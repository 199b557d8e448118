import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionState } from '../tokens/session';
import { planSweep } from './sweep-plan';

const s = (tokenId: number, expiresAt: number) => ({ tokenId, expiresAt, issuedAt: 0, lastUsedAt: null });
/** Live at `now`, by the rule TokenVerifier.isLive applies (here without an idle timeout). */
const at = (now: number) => (session: ReturnType<typeof s>) => sessionState(session, now, null) === 'live';

describe('planSweep', () => {
  it('drops expired tokens without a query and checks each live token once', () => {
    const plan = planSweep([s(3, 2000), s(1, 500), s(3, 2000), s(2, 1000), s(1, 500)], at(1000), 0, 100);
    assert.deepEqual(plan.expired.sort(), [1, 2]);
    assert.deepEqual(plan.check, [3]);
  });

  it('does nothing for no sockets', () => {
    assert.deepEqual(planSweep([], at(0), 7, 10), { expired: [], check: [], cursor: 0 });
  });

  it('takes turns through more tokens than fit in one sweep, covering every one', () => {
    const sessions = Array.from({ length: 10 }, (_, i) => s(i + 1, 10_000));
    const seen: number[] = [];
    let cursor = 0;
    for (let sweep = 0; sweep < 3; sweep++) {
      const plan = planSweep(sessions, at(0), cursor, 4);
      assert.equal(plan.check.length, 4);
      seen.push(...plan.check);
      cursor = plan.cursor;
    }
    assert.deepEqual(
      [...new Set(seen)].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
  });

  it('resumes after the cursor and wraps round', () => {
    const sessions = [10, 20, 30, 40, 50].map((id) => s(id, 10_000));
    assert.deepEqual(planSweep(sessions, at(0), 25, 3), { expired: [], check: [30, 40, 50], cursor: 50 });
    assert.deepEqual(planSweep(sessions, at(0), 50, 3), { expired: [], check: [10, 20, 30], cursor: 30 });
    assert.deepEqual(planSweep(sessions, at(0), 40, 3), { expired: [], check: [10, 20, 50], cursor: 20 });
  });
});
