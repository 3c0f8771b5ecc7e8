/**
 * Per-caller rate limits: a token bucket per (caller, kind) that holds a minute's allowance and
 * refills continuously, so a caller may burst up to the limit and then gets one request per
 * 60/limit seconds.
 *
 * State lives in this process. Behind a load balancer, REDIS_URL puts the same bucket on Redis for
 * every instance (src/store/rate-limit.ts, behind this same interface), with this one as its
 * fallback while Redis is unreachable.
 */
export type RateKind = 'read' | 'write';

export interface RateLimited {
  kind: RateKind;
  /** The configured allowance per minute. */
  limit: number;
  /** Whole seconds until one more request of this kind is allowed (at least 1). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one request; returns undefined when allowed, or how long to wait (a promise for a shared store). */
  take(key: string, kind: RateKind): RateLimited | undefined | Promise<RateLimited | undefined>;
  /** Buckets held (bounded by maxKeys). */
  readonly size: number;
}

export interface RateLimiterOptions {
  readsPerMinute: number;
  writesPerMinute: number;
  /** Buckets kept at most; the least recently used go first. Default 50 000. */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MINUTE_MS = 60_000;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter & { take(key: string, kind: RateKind): RateLimited | undefined } {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 50_000;
  const limits: Record<RateKind, number> = { read: options.readsPerMinute, write: options.writesPerMinute };
  // Map order = least recently used first: a touched bucket is re-inserted at the end.
  const buckets = new Map<string, Bucket>();
  let sinceSweep = 0;

  function refill(bucket: Bucket, limit: number, t: number): void {
    bucket.tokens = Math.min(limit, bucket.tokens + ((t - bucket.at) * limit) / MINUTE_MS);
    bucket.at = t;
  }

  /** Drops buckets idle long enough to be full again: they hold nothing a fresh one would not. */
  function sweep(t: number): void {
    for (const [key, bucket] of buckets) {
      if (t - bucket.at < MINUTE_MS) break; // everything after it was touched more recently
      buckets.delete(key);
    }
    while (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
  }

  return {
    take(key, kind) {
      const limit = limits[kind];
      if (limit <= 0) return undefined;
      const t = now();
      const id = `${kind}:${key}`;
      let bucket = buckets.get(id);
      if (bucket) {
        buckets.delete(id);
        refill(bucket, limit, t);
      } else {
        bucket = { tokens: limit, at: t };
      }
      buckets.set(id, bucket);
      if (++sinceSweep >= 1000 || buckets.size > maxKeys) {
        sinceSweep = 0;
        sweep(t);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return undefined;
      }
      const waitMs = ((1 - bucket.tokens) * MINUTE_MS) / limit;
      // The epsilon keeps floating-point dust from adding a whole second.
      return { kind, limit, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000 - 1e-6)) };
    },
    get size() {
      return buckets.size;
    },
  };
}
