import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { counterKey } from '../shared-store/redis-key';
import { type RedisScript, SHARED_STORE, type SharedStore } from '../shared-store/shared-store';

/** At most one `sign-in.failed` per (account, address) reaches the account's sockets in this window. */
export const FAILED_SIGN_IN_WINDOW_MS = 60_000;
/** Pairs remembered in memory without Redis; beyond it the oldest windows are forgotten first. */
const MAX_LOCAL = 10_000;

/** Sets the key for the window unless it is set: 1 the first time in a window, 0 after. */
const ONCE_PER_WINDOW = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0`;

/**
 * Whether a failed sign-in may be told to the account's sockets: a guesser must not be able to
 * flood a person's devices with warnings. With REDIS_URL the window is one across instances
 * (each instance tells only what it recorded, so it must ask the others); while Redis cannot be
 * reached, and without it, each instance keeps its own.
 */
@Injectable()
export class FailedSignInThrottle {
  private readonly local = new Map<string, number>();
  private readonly shared?: RedisScript;

  constructor(
    private readonly clock: Clock,
    @Inject(SHARED_STORE) store: SharedStore | null,
  ) {
    this.shared = store?.defineScript('gatehouseSecurityNotice', 1, ONCE_PER_WINDOW);
  }

  async admit(accountId: number, address: string | null): Promise<boolean> {
    const key = `${accountId} ${address ?? '-'}`;
    if (this.shared) {
      try {
        return (await this.shared([counterKey('security-notice', key)], [FAILED_SIGN_IN_WINDOW_MS])) === 1;
      } catch {
        // Redis is away: this instance's own window below.
      }
    }
    const now = this.clock.now();
    const until = this.local.get(key);
    if (until !== undefined && until > now) return false;
    this.local.delete(key);
    this.local.set(key, now + FAILED_SIGN_IN_WINDOW_MS);
    if (this.local.size > MAX_LOCAL) this.local.delete(this.local.keys().next().value as string);
    return true;
  }
}
