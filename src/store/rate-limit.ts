import type { RateKind, RateLimited, RateLimiter } from '../ops/rate-limit.js';
import { PREFIX } from './prefix.js';
import type { RedisStore } from './redis.js';

/**
 * The same token bucket as src/ops/rate-limit.ts (a minute's allowance, refilled continuously), kept
 * on Redis so every instance draws from one bucket per caller and kind. One Lua script reads, refills
 * and takes atomically, on Redis's own clock (instances' clocks may differ); an idle bucket expires
 * once it would be full again. While Redis is unreachable each instance uses its own local buckets.
 */
const TAKE = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then tokens = limit; at = now end
if now > at then tokens = math.min(limit, tokens + (now - at) * limit / window) end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * window / limit) end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', math.max(now, at))
redis.call('PEXPIRE', KEYS[1], window)
return wait
`;

const MINUTE_MS = 60_000;

export function createSharedRateLimiter(store: RedisStore, limits: { readsPerMinute: number; writesPerMinute: number }, local: RateLimiter): RateLimiter {
  const perMinute: Record<RateKind, number> = { read: limits.readsPerMinute, write: limits.writesPerMinute };
  store.redis.defineCommand('casdoorMcpTake', { numberOfKeys: 1, lua: TAKE });
  const take = (key: string, limit: number) =>
    (store.redis as unknown as { casdoorMcpTake(k: string, l: number, w: number): Promise<number> }).casdoorMcpTake(key, limit, MINUTE_MS);
  return {
    async take(key, kind) {
      const limit = perMinute[kind];
      if (limit <= 0) return undefined;
      let waitMs: number;
      try {
        waitMs = Number(await store.run(() => take(`${PREFIX}rl:${kind}:${key}`, limit)));
      } catch {
        return local.take(key, kind); // degraded: this instance's own buckets
      }
      if (!(waitMs > 0)) return undefined;
      return { kind, limit, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000 - 1e-6)) };
    },
    /** Buckets held locally (the fallback's); those on Redis expire by themselves. */
    get size() {
      return local.size;
    },
  };
}
