import { Clock } from '../clock/clock';

/** Where a window's attempt count for one key stands. */
export interface AttemptWindow {
  /** Attempts counted in the current window, this one included. */
  count: number;
  /** When the window ends and the count starts again from zero (epoch ms). */
  resetAt: number;
}

/**
 * Counters of failed sign-ins per (account, address). An abstract class so that Nest can inject
 * it and a deployment running several instances can bind a shared implementation
 * (RedisLoginFailureStore, with REDIS_URL) in place of the in-memory one.
 */
export abstract class LoginFailureStore {
  /** Counts one attempt for key; the first attempt of a window opens it for `windowMs`. */
  abstract increment(key: string, windowMs: number): Promise<AttemptWindow>;
  /** Takes back one attempt counted by increment (it turned out not to be a failure). */
  abstract decrement(key: string): Promise<void>;
  /** Forgets the key (a successful sign-in). */
  abstract clear(key: string): Promise<void>;
}

/**
 * The single-instance store: a Map bounded in size. When it is full, a tenth of it is freed at
 * once: expired windows first, then windows holding a single failure, then the oldest. Windows
 * close to a lockout are the last to go, so an attacker who floods the store with new keys
 * (each a first failure) cannot easily erase the counts that matter.
 */
export class MemoryLoginFailureStore extends LoginFailureStore {
  private readonly windows = new Map<string, AttemptWindow>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {
    super();
  }

  get size(): number {
    return this.windows.size;
  }

  async increment(key: string, windowMs: number): Promise<AttemptWindow> {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (window) this.windows.delete(key);
      this.makeRoom(now);
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { ...window };
  }

  async decrement(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (!window) return;
    window.count -= 1;
    if (window.count <= 0) this.windows.delete(key);
  }

  async clear(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private makeRoom(now: number): void {
    if (this.windows.size < this.maxKeys) return;
    const target = Math.floor(this.maxKeys * 0.9);
    const evict = (keep: (window: AttemptWindow) => boolean) => {
      // A Map iterates in insertion order: oldest first.
      for (const [key, window] of this.windows) {
        if (this.windows.size <= target) return;
        if (!keep(window)) this.windows.delete(key);
      }
    };
    evict((window) => window.resetAt > now);
    evict((window) => window.count > 1);
    evict(() => false);
  }
}
