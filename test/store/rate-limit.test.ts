import { expect, it } from 'vitest';
import { createRateLimiter } from '../../src/ops/rate-limit.js';
import { createSharedRateLimiter } from '../../src/store/rate-limit.js';
import { describeRedis, redisPair } from '../support/redis.js';

describeRedis('the rate limiter on Redis', () => {
  const s = redisPair();

  const limits = { readsPerMinute: 10, writesPerMinute: 2 };
  const local = () => createRateLimiter(limits);

  it('two instances draw from one bucket per caller and kind, atomically under concurrency', async () => {
    const one = createSharedRateLimiter(s.a, limits, local());
    const two = createSharedRateLimiter(s.b, limits, local());
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
    const unlimited = createSharedRateLimiter(s.a, { readsPerMinute: 0, writesPerMinute: 0 }, createRateLimiter({ readsPerMinute: 0, writesPerMinute: 0 }));
    for (let i = 0; i < 5; i += 1) expect(await unlimited.take('sub:x', 'write')).toBeUndefined();
    expect(await s.a.redis.exists('casdoor-mcp:rl:write:sub:x')).toBe(0);
  });

  it('while Redis is down each instance falls back to its own buckets, and uses Redis again once it is back', async () => {
    const fallback = local();
    const limiter = createSharedRateLimiter(s.a, limits, fallback);
    await s.redis.stop();
    const during = [];
    for (let i = 0; i < 12; i += 1) during.push(await limiter.take('sub:outage', 'read'));
    expect(during.filter((r) => r === undefined)).toHaveLength(10); // the local bucket's 10
    expect(fallback.size).toBeGreaterThan(0);
    await s.redis.start();
    const deadline = Date.now() + 10_000;
    while (!s.a.up && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(s.a.up).toBe(true);
    expect(await limiter.take('sub:outage', 'read')).toBeUndefined(); // a fresh Redis: a full bucket again
    expect(await s.a.redis.exists('casdoor-mcp:rl:read:sub:outage')).toBe(1);
  });
});
