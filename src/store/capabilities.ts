import type { ClientCapabilityStore } from '../mcp/client-capabilities.js';
import { PREFIX } from './prefix.js';
import type { RedisStore } from './redis.js';

/**
 * What each client declared in initialize, on Redis, so a tools/call on any instance knows whether
 * its client can be asked to confirm. Written through to the local store, which answers while Redis
 * is unreachable (a client whose initialize reached another instance then counts as one that cannot
 * be asked: the delete needs confirm + name, the safe form).
 */
export function createSharedCapabilityStore(store: RedisStore, local: ClientCapabilityStore): ClientCapabilityStore {
  const key = (owner: string) => `${PREFIX}caps:${owner}`;
  return {
    async remember(owner, declared, notAfterMs) {
      local.remember(owner, declared, notAfterMs);
      const ttlMs = Math.min(60 * 60 * 1000, (notAfterMs ?? Number.POSITIVE_INFINITY) - Date.now());
      try {
        // As the local store: a client that did not declare it marks the key unable ("0") for the entry's life.
        if (ttlMs <= 0) await store.run((r) => r.del(key(owner)));
        else if (!declared.elicitation) await store.run((r) => r.set(key(owner), '0', 'PX', Math.floor(ttlMs)));
        else if ((await store.run((r) => r.get(key(owner)))) !== '0') await store.run((r) => r.set(key(owner), '1', 'PX', Math.floor(ttlMs)));
      } catch {
        // Degraded: the local entry stands.
      }
    },
    async canElicit(owner) {
      if (owner === undefined) return false;
      try {
        return (await store.run((r) => r.get(key(owner)))) === '1';
      } catch {
        return local.canElicit(owner);
      }
    },
    get size() {
      return local.size;
    },
  };
}
