import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/ops/rate-limit.js';
import { connectRedis, type RedisStore } from '../../src/store/redis.js';
import { createSharedRateLimiter } from '../../src/store/rate-limit.js';
import { hasRedis, startRedis, type TestRedis } from '../support/redis.js';

const describeRedis = hasRedis || process.env.CI === 'true' ? describe : describe.skip;
const silent = pino({ level: 'silent' });

describeRedis('the rate limiter on Redis', () => {
  let redis: TestRedis;
  let a: RedisStore;
  let b: RedisStore;

  beforeAll(async () => {
    redis = await startRedis();
    a = await connectRedis({ url: redis.url, logger: silent });
    b = await connectRedis({ url: redis.url, logger: silent });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  const limits = { readsPerMinute: 10, writesPerMinute: 2 };
  const local = () => createRateLimiter(limits);

  it('two instances draw from one bucket per caller and kind, atomically under concurrency', async () => {
    const one = createSharedRateLimiter(a, limits, local());
    const two = createSharedRateLimiter(b, limits, local());
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).take('sub:concurrent', 'read')));
    expect(results.filter((r) => r === undefined)).toHaveLength(10);
    const refused = results.find((r) => r !== undefined)!;
    expect(refused).toMatchObject({ kind: 'read', limit: 10 });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(6);
    // Another caller, and the other kind, have buckets of their own.
    expect(await one.take('sub:someone-else', 'read')).toBeUndefined();
    expect(await two.take('sub:concurrent', 'write')).toBeUndefined();
    expect(await one.take('sub:concurrent', 'write')).toBeUndefined();
    expect(await two.take('sub:concurrent', 'write')).toMatchObject({ kind: 'write', limit: 2 });
  });

  it('a limit of 0 is no limit, and Redis is not asked', async () => {
    const unlimited = createSharedRateLimiter(a, { readsPerMinute: 0, writesPerMinute: 0 }, createRateLimiter({ readsPerMinute: 0, writesPerMinute: 0 }));
    for (let i = 0; i < 5; i += 1) expect(await unlimited.take('sub:x', 'write')).toBeUndefined();
    expect(await a.redis.exists('casdoor-mcp:rl:write:sub:x')).toBe(0);
  });

  it('while Redis is down each instance falls back to its own buckets, and uses Redis again once it is back', async () => {
    const fallback = local();
    const limiter = createSharedRateLimiter(a, limits, fallback);
    await redis.stop();
    const during = [];
    for (let i = 0; i < 12; i += 1) during.push(await limiter.take('sub:outage', 'read'));
    expect(during.filter((r) => r === undefined)).toHaveLength(10); // the local bucket's 10
    expect(fallback.size).toBeGreaterThan(0);
    await redis.start();
    const deadline = Date.now() + 10_000;
    while (!a.up && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(a.up).toBe(true);
    expect(await limiter.take('sub:outage', 'read')).toBeUndefined(); // a fresh Redis: a full bucket again
    expect(await a.redis.exists('casdoor-mcp:rl:read:sub:outage')).toBe(1);
  });
});
