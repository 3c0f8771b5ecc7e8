import { describe, expect, it } from 'vitest';
import { createLocalUsedStates, createSharedUsedStates } from '../../src/store/used-states.js';
import { describeRedis, redisPair } from '../support/redis.js';

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

describeRedis('used request states on Redis', () => {
  const s = redisPair();

  it('a state used on one instance is used on every other, and its record expires with the state', async () => {
    const one = createSharedUsedStates(s.a, createLocalUsedStates());
    const two = createSharedUsedStates(s.b, createLocalUsedStates());
    const exp = Date.now() + 5_000;
    const results = await Promise.all([one.claim('s1', exp), two.claim('s1', exp), one.claim('s1', exp), two.claim('s1', exp)]);
    expect(results.filter((r) => r === 'fresh')).toHaveLength(1);
    expect(await two.claim('s2', exp)).toBe('fresh');
    expect(await one.claim('s2', exp)).toBe('used');
    const ttl = await s.a.redis.pttl('casdoor-mcp:rs:s1');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('while Redis is down each instance still refuses what it saw used itself', async () => {
    const one = createSharedUsedStates(s.a, createLocalUsedStates());
    const exp = Date.now() + 60_000;
    await s.redis.stop();
    try {
      expect(await one.claim('s3', exp)).toBe('fresh');
      expect(await one.claim('s3', exp)).toBe('used');
    } finally {
      await s.redis.start();
    }
  });
});
