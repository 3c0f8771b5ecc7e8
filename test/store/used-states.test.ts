import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisStore } from '../../src/store/redis.js';
import { createLocalUsedStates, createSharedUsedStates } from '../../src/store/used-states.js';
import { hasRedis, startRedis, type TestRedis } from '../support/redis.js';

/** The record that makes each sealed request state (a 2026 confirmation) good for one retry. */
describe('used request states, in memory', () => {
  it('a state is fresh once, then used until it expires', async () => {
    let now = 1_000;
    const used = createLocalUsedStates(10, () => now);
    expect(await used.claim('a', 2_000)).toBe('fresh');
    expect(await used.claim('a', 2_000)).toBe('used');
    expect(await used.claim('b', 2_000)).toBe('fresh');
    now = 2_001;
    // Expired: the sealer refuses such a state anyway; the record may be reused.
    expect(await used.claim('a', 9_000)).toBe('fresh');
  });

  it('is bounded: expired entries make room, and when every entry is live it answers full instead of forgetting one', async () => {
    let now = 0;
    const used = createLocalUsedStates(3, () => now);
    for (const id of ['a', 'b', 'c']) expect(await used.claim(id, 100)).toBe('fresh');
    expect(await used.claim('d', 200)).toBe('full');
    expect(await used.claim('a', 100)).toBe('used'); // still remembered
    now = 101;
    expect(await used.claim('d', 200)).toBe('fresh');
    expect(used.size).toBe(1);
  });
});

const describeRedis = hasRedis || process.env.CI === 'true' ? describe : describe.skip;
const silent = pino({ level: 'silent' });

describeRedis('used request states on Redis', () => {
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

  it('a state used on one instance is used on every other, and its record expires with the state', async () => {
    const one = createSharedUsedStates(a, createLocalUsedStates());
    const two = createSharedUsedStates(b, createLocalUsedStates());
    const exp = Date.now() + 5_000;
    const results = await Promise.all([one.claim('s1', exp), two.claim('s1', exp), one.claim('s1', exp), two.claim('s1', exp)]);
    expect(results.filter((r) => r === 'fresh')).toHaveLength(1);
    expect(await two.claim('s2', exp)).toBe('fresh');
    expect(await one.claim('s2', exp)).toBe('used');
    const ttl = await a.redis.pttl('casdoor-mcp:rs:s1');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('while Redis is down each instance still refuses what it saw used itself', async () => {
    const one = createSharedUsedStates(a, createLocalUsedStates());
    const exp = Date.now() + 60_000;
    await redis.stop();
    try {
      expect(await one.claim('s3', exp)).toBe('fresh');
      expect(await one.claim('s3', exp)).toBe('used');
    } finally {
      await redis.start();
    }
  });
});
