import { describe, expect, it } from 'vitest';
import { createLruCache } from '../../src/auth/token-cache.js';

function clock(start = 1_000_000) {
  let current = start;
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms;
    },
  };
}

describe('createLruCache', () => {
  it('stores, returns, replaces and deletes entries', () => {
    const cache = createLruCache<string, number>({ maxEntries: 3 });
    const far = Date.now() + 60_000;
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 1, far);
    cache.set('b', 2, far);
    expect(cache.get('a')).toBe(1);
    expect(cache.size).toBe(2);
    cache.set('a', 10, far);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBe(10);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry, where get counts as a use', () => {
    const cache = createLruCache<string, number>({ maxEntries: 3 });
    const far = Date.now() + 60_000;
    cache.set('a', 1, far);
    cache.set('b', 2, far);
    cache.set('c', 3, far);
    expect(cache.get('a')).toBe(1); // now b is the oldest
    cache.set('d', 4, far);
    expect(cache.keys()).toEqual(['c', 'a', 'd']);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('replacing an entry makes it the most recently used', () => {
    const cache = createLruCache<string, number>({ maxEntries: 2 });
    const far = Date.now() + 60_000;
    cache.set('a', 1, far);
    cache.set('b', 2, far);
    cache.set('a', 3, far);
    cache.set('c', 4, far);
    expect(cache.keys()).toEqual(['a', 'c']);
  });

  it('never holds more than maxEntries', () => {
    const cache = createLruCache<number, number>({ maxEntries: 10 });
    for (let i = 0; i < 1000; i += 1) {
      cache.set(i, i, Number.MAX_SAFE_INTEGER);
      expect(cache.size).toBeLessThanOrEqual(10);
    }
    expect(cache.keys()).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
  });

  it('treats an entry as expired from its expiresAt on, and drops it when read', () => {
    const time = clock();
    const cache = createLruCache<string, string>({ maxEntries: 5, now: time.now });
    cache.set('k', 'v', time.now() + 100);
    time.advance(99);
    expect(cache.get('k')).toBe('v');
    time.advance(1);
    expect(cache.size).toBe(1); // not swept eagerly
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores nothing with maxEntries 0', () => {
    const cache = createLruCache<string, number>({ maxEntries: 0 });
    cache.set('a', 1, Number.MAX_SAFE_INTEGER);
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });

  it('rejects invalid options', () => {
    for (const maxEntries of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createLruCache({ maxEntries })).toThrow(TypeError);
    }
    expect(() => createLruCache({ maxEntries: 1, now: 5 as unknown as () => number })).toThrow(
      TypeError,
    );
  });
});
