import type { ThrottlerStorage } from '@nestjs/throttler';
import { counterKey } from '../shared-store/redis-key';
import type { RedisScript, SharedStore } from '../shared-store/shared-store';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * @nestjs/throttler's in-memory storage (ThrottlerStorageService, v6), as one atomic script.
 * Same model: every counted hit expires on its own `ttl` after it was made (a sliding log, kept
 * here as a sorted set scored by expiry time); with a block duration, the hit that goes over
 * the limit blocks the key for `blockDuration`, blocked attempts are not counted, and the first
 * attempt after the block starts again from one hit. Without a block duration, attempts over
 * the limit are refused until the oldest hit expires. Times come from Redis's clock, so that
 * instances with slightly different clocks agree; arguments in milliseconds, results in seconds.
 *
 * KEYS[1]: the key's record, a hash: expiresAt, blocked, blockExpiresAt, seq (hit ids)
 * KEYS[2]: the throttler's hits, a sorted set (at most limit + 1 members)
 * ARGV: ttl, limit, blockDuration
 * Returns {totalHits, timeToExpire, isBlocked (0/1), timeToBlockExpire}.
 */
const INCREMENT = `
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local blockDuration = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local function ms(value) return string.format('%.0f', value) end
local function hit()
  local id = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  redis.call('ZADD', KEYS[2], ms(now + ttl), id)
end

redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ms(now))
local expiresAt = tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) or 0
if expiresAt <= now then
  expiresAt = now + ttl
  redis.call('HSET', KEYS[1], 'expiresAt', ms(expiresAt))
end
local timeToExpire = math.ceil((expiresAt - now) / 1000)
local blocked = redis.call('HGET', KEYS[1], 'blocked') == '1'
local blockExpiresAt = tonumber(redis.call('HGET', KEYS[1], 'blockExpiresAt')) or 0
local totalHits
local timeToBlockExpire = 0

if blockDuration <= 0 then
  totalHits = redis.call('ZCARD', KEYS[2])
  if totalHits >= limit then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    if oldest[2] then timeToBlockExpire = math.ceil((tonumber(oldest[2]) - now) / 1000) else timeToBlockExpire = timeToExpire end
    totalHits = totalHits + 1
    blocked = true
  else
    hit()
    totalHits = totalHits + 1
    blocked = false
  end
else
  if not blocked then hit() end
  totalHits = redis.call('ZCARD', KEYS[2])
  if totalHits > limit and not blocked then
    blocked = true
    blockExpiresAt = now + blockDuration
    redis.call('HSET', KEYS[1], 'blocked', '1', 'blockExpiresAt', ms(blockExpiresAt))
  end
  if blocked then
    timeToBlockExpire = math.ceil((blockExpiresAt - now) / 1000)
    if timeToBlockExpire <= 0 then
      blocked = false
      timeToBlockExpire = 0
      redis.call('HSET', KEYS[1], 'blocked', '0')
      redis.call('DEL', KEYS[2])
      hit()
      totalHits = 1
    end
  end
end

-- Keep both keys as long as anything in them still matters, and not longer.
local keep = expiresAt
if blocked and blockExpiresAt > keep then keep = blockExpiresAt end
local newest = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) > keep then keep = tonumber(newest[2]) end
local left = math.max(1, keep - now)
redis.call('PEXPIRE', KEYS[1], ms(left))
redis.call('PEXPIRE', KEYS[2], ms(left))
return {totalHits, timeToExpire, blocked and 1 or 0, timeToBlockExpire}
`;

/**
 * The per-address attempt budget (RATE_LIMIT_PER_MINUTE) in Redis, shared by every instance:
 * a client cannot multiply its budget by the number of instances behind the balancer.
 * One difference from the in-memory storage: `timeToBlockExpire` is 0 while not blocked (the
 * guard reads it only when blocked).
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly script: RedisScript;

  constructor(store: SharedStore) {
    this.script = store.defineScript('gatehouseThrottle', 2, INCREMENT);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const record = counterKey('throttle', key);
    const hits = `${record}:${counterKey('hits', throttlerName)}`;
    const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = (await this.script(
      [record, hits],
      [Math.max(1, Math.ceil(ttl)), limit, Math.max(0, Math.ceil(blockDuration))],
    )) as [number, number, number, number];
    return { totalHits, timeToExpire, isBlocked: isBlocked === 1, timeToBlockExpire };
  }
}
