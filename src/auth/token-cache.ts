/**
 * A small bounded LRU cache whose entries carry their own expiry time.
 *
 * Used by the token verifier to remember successful verifications, but generic: it knows nothing
 * about tokens. Callers choose the keys; the verifier uses a SHA-256 digest so that bearer tokens
 * are never held as map keys.
 *
 * @module
 */

/** Options for {@link createLruCache}. */
export interface LruCacheOptions {
  /** Upper bound on stored entries; beyond it the least recently used goes. 0 stores nothing. */
  maxEntries: number;
  /** Clock in milliseconds used for expiry checks. Defaults to `Date.now`. */
  now?: () => number;
}

/**
 * A bounded map with least-recently-used eviction and per-entry expiry.
 *
 * Contract: `get` never returns an entry whose `expiresAt` is at or before `now()`; such an
 * entry is deleted when it is looked up. Expired entries that are never looked up again are NOT
 * swept eagerly: they leave only through LRU eviction, `delete` or `clear` (`size` counts them).
 */
export interface LruCache<K, V> {
  /** The value if present and unexpired (marking it most recently used), else `undefined`. */
  get(key: K): V | undefined;
  /** Stores or replaces `key`, valid while `now() < expiresAt` (ms); evicts LRU if full. */
  set(key: K, value: V, expiresAt: number): void;
  /** Removes `key`; true if it was present (expired or not). */
  delete(key: K): boolean;
  /** Removes every entry. */
  clear(): void;
  /** Number of stored entries, including expired ones not yet looked up. */
  readonly size: number;
  /** Snapshot of the stored keys, least recently used first (for diagnostics and tests). */
  keys(): K[];
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * Creates an empty {@link LruCache}.
 *
 * @throws TypeError if `maxEntries` is not a non-negative safe integer or `now` is not a function.
 */
export function createLruCache<K, V>(options: LruCacheOptions): LruCache<K, V> {
  const { maxEntries } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
    throw new TypeError('maxEntries must be a non-negative integer');
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new TypeError('now must be a function');
  }

  // A Map iterates in insertion order, so re-inserting on access keeps the LRU entry first.
  const entries = new Map<K, Entry<V>>();

  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) {
        return undefined;
      }
      entries.delete(key);
      if (now() >= entry.expiresAt) {
        return undefined;
      }
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, expiresAt) {
      if (maxEntries === 0) {
        return;
      }
      entries.delete(key);
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) {
          break;
        }
        entries.delete(oldest.value);
      }
      entries.set(key, { value, expiresAt });
    },
    delete(key) {
      return entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
    keys() {
      return [...entries.keys()];
    },
  };
}
