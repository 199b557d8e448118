import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock/clock';
import { FAILED_SIGN_IN_WINDOW_MS, FailedSignInThrottle } from './failed-sign-in-throttle';

describe('FailedSignInThrottle without Redis', () => {
  it('admits one failed sign-in per account and address a minute', async () => {
    const clock = new ManualClock(1_000_000);
    const throttle = new FailedSignInThrottle(clock, null);
    assert.equal(await throttle.admit(1, '127.0.0.1'), true);
    assert.equal(await throttle.admit(1, '127.0.0.1'), false);
    assert.equal(await throttle.admit(1, '127.0.0.2'), true, 'another address');
    assert.equal(await throttle.admit(2, '127.0.0.1'), true, 'another account');
    assert.equal(await throttle.admit(2, null), true, 'no address is a pair of its own');
    clock.advance(FAILED_SIGN_IN_WINDOW_MS - 1);
    assert.equal(await throttle.admit(1, '127.0.0.1'), false);
    clock.advance(1);
    assert.equal(await throttle.admit(1, '127.0.0.1'), true, 'a new minute');
  });
});
