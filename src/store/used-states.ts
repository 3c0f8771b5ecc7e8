import { PREFIX } from './prefix.js';
import type { RedisStore } from './redis.js';

/**
 * Which sealed request states (2026 confirmations, src/mcp/input-required.ts) have been used. A
 * state is good for one retry: the sealer proves it is ours, this record that it is the first use,
 * so a replayed request cannot repeat a confirmed delete. Entries live as long as their state.
 */
export type Claim = 'fresh' | 'used' | 'full';

export interface UsedStateStore {
  /** Records `id` as used until `expiresAtMs`: 'fresh' the first time, 'used' after; 'full' when no room is left. */
  claim(id: string, expiresAtMs: number): Promise<Claim>;
  readonly size: number;
}

/** At most this many unexpired states at once per instance (tens of bytes each). */
export const MAX_USED_STATES = 10_000;

/**
 * In memory. States share one lifetime, so insertion order is expiry order and purging stops at the
 * first live entry. When full of live entries it answers 'full' rather than forget one: a forgotten
 * entry could be replayed.
 */
export function createLocalUsedStates(max = MAX_USED_STATES, now: () => number = Date.now): UsedStateStore {
  const used = new Map<string, number>();
  const purge = (): void => {
    for (const [id, exp] of used) {
      if (exp > now()) break;
      used.delete(id);
    }
  };
  return {
    async claim(id, expiresAtMs) {
      const exp = used.get(id);
      if (exp !== undefined && exp > now()) return 'used';
      if (used.size >= max) purge();
      if (used.size >= max) return 'full';
      used.delete(id);
      used.set(id, expiresAtMs);
      return 'fresh';
    },
    get size() {
      return used.size;
    },
  };
}

/**
 * On Redis, so a state used on one instance is refused on every other: SET NX with the state's
 * remaining life as expiry, atomic. Redis bounds the set by expiring the keys. While Redis is
 * unreachable each instance keeps its own record (a replay is then caught on the instance that saw
 * the first use, as rate limits degrade to local buckets). The local record is written every time,
 * so it holds what this instance saw across an outage.
 */
export function createSharedUsedStates(store: RedisStore, local: UsedStateStore, now: () => number = Date.now): UsedStateStore {
  return {
    async claim(id, expiresAtMs) {
      const here = await local.claim(id, expiresAtMs);
      if (here === 'used') return 'used';
      const ttl = Math.max(1, Math.ceil(expiresAtMs - now()));
      try {
        const set = await store.run((r) => r.set(`${PREFIX}rs:${id}`, '1', 'PX', ttl, 'NX'));
        return set === 'OK' ? 'fresh' : 'used';
      } catch {
        return here;
      }
    },
    get size() {
      return local.size;
    },
  };
}
