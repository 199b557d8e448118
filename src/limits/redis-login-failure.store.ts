import { Clock } from '../clock/clock';
import { type AttemptWindow, LoginFailureStore } from './login-failure.store';
import { counterKey } from '../shared-store/redis-key';
import type { RedisScript, SharedStore } from '../shared-store/shared-store';

/**
 * Counts one attempt; the first of a window sets the window's expiry. A key left without one
 * (which nothing here creates) gets it too, so no counter can outlive its window for ever.
 * Returns the count and the milliseconds left in the window.
 */
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  left = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], left)
end
return {count, left}
`;

/** Takes one attempt back (the window's expiry stays); a count that reaches zero is deleted. */
const DECREMENT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local count = redis.call('DECR', KEYS[1])
if count <= 0 then redis.call('DEL', KEYS[1]) end
return count
`;

/**
 * Failed sign-ins counted in Redis, so that every instance of a deployment sees the same
 * counts: a guesser who spreads attempts over the instances behind a balancer gets no more
 * than LOGIN_MAX_FAILURES in all. Each operation is one atomic script; Redis's own expiry ends
 * a window, so no eviction policy is needed here (the memory store's size bound has no
 * counterpart: entries live 15 minutes at most).
 */
export class RedisLoginFailureStore extends LoginFailureStore {
  private readonly incrementScript: RedisScript;
  private readonly decrementScript: RedisScript;

  constructor(
    private readonly store: SharedStore,
    /** Only turns Redis's "milliseconds left" into resetAt; the window itself runs on Redis's time. */
    private readonly clock: Clock = new Clock(),
    /** What is counted, in the key: the same fixed windows serve other per-address counts too. */
    private readonly kind = 'login-failures',
  ) {
    super();
    this.incrementScript = store.defineScript('gatehouseFailureIncrement', 1, INCREMENT);
    this.decrementScript = store.defineScript('gatehouseFailureDecrement', 1, DECREMENT);
  }

  async increment(key: string, windowMs: number): Promise<AttemptWindow> {
    const [count, left] = (await this.incrementScript([this.key(key)], [Math.max(1, Math.ceil(windowMs))])) as [
      number,
      number,
    ];
    return { count, resetAt: this.clock.now() + left };
  }

  async decrement(key: string): Promise<void> {
    await this.decrementScript([this.key(key)], []);
  }

  async clear(key: string): Promise<void> {
    await this.store.del(this.key(key));
  }

  private key(key: string): string {
    return counterKey(this.kind, key);
  }
}
