import { createHash } from 'node:crypto';
import { createLruCache } from './token-cache.js';

/**
 * Optional revocation check (MCP_TOKEN_INTROSPECTION): after a token passed local JWT verification,
 * ask Casdoor's introspection endpoint (RFC 7662) whether it is still active. Casdoor answers
 * inactive for a token it deleted or expired and for a forbidden or deleted user, which a JWT alone
 * cannot show. Answers are cached per token (by SHA-256, never the token) for at most `ttlMs` and
 * never past the token's `exp`, so a revocation takes effect within that time, at the cost of one
 * Casdoor round trip per token and cache period.
 */
export interface Introspector {
  /** Whether Casdoor still considers the token active. Throws CasdoorError when Casdoor cannot be asked. */
  isActive(token: string, expiresAtSeconds: number): Promise<boolean>;
}

export interface IntrospectorOptions {
  /** Asks Casdoor (CasdoorAdapter.introspect). */
  introspect(token: string): Promise<{ active: boolean }>;
  /** Cache lifetime of an answer, ms; at most 30 000. 0 asks Casdoor on every request. */
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

export const MAX_INTROSPECTION_TTL_MS = 30_000;

export function createIntrospector(options: IntrospectorOptions): Introspector {
  const ttl = Math.max(0, Math.min(options.ttlMs, MAX_INTROSPECTION_TTL_MS));
  const now = options.now ?? Date.now;
  const cache = createLruCache<string, boolean>({ maxEntries: ttl === 0 ? 0 : (options.maxEntries ?? 10_000), now });
  // Concurrent requests with the same token share one round trip.
  const inFlight = new Map<string, Promise<boolean>>();

  return {
    async isActive(token, expiresAtSeconds) {
      const key = createHash('sha256').update(token, 'utf8').digest('hex');
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = options
          .introspect(token)
          .then((answer) => {
            const active = answer.active === true;
            if (ttl > 0) cache.set(key, active, Math.min(now() + ttl, expiresAtSeconds * 1000));
            return active;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
  };
}
