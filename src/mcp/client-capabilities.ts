import type { Caller } from '../auth/caller.js';
import type { Credentials } from '../auth/authenticate.js';
import { createLruCache } from '../auth/token-cache.js';
import { sha256Hex } from '../auth/digest.js';

/**
 * What clients declared in `initialize`, remembered per credential and client (see capabilityKey).
 * The server is stateless on the wire, and capabilities travel only in `initialize`, so a later
 * tools/call can only know that its client answers elicitation requests by looking it up here.
 * Two clients on one credential may look alike, so one that did not declare elicitation marks the
 * key as unable for the entry's lifetime: a question must never reach a client that cannot answer
 * it (the spec forbids it, and its delete would fail), so when in doubt the call is not elicited.
 * Keys are SHA-256 digests: no token or cookie is held. Anonymous callers are never remembered.
 */
export interface ClientCapabilityStore {
  /** Records the capabilities a client declared; `notAfterMs` caps the entry (a token's exp). */
  remember(owner: string, declared: { elicitation: boolean }, notAfterMs?: number): void | Promise<void>;
  /** Whether the client behind `owner` declared elicitation in its last initialize (and it is still fresh). */
  canElicit(owner: string | undefined): boolean | Promise<boolean>;
  readonly size: number;
}

export interface ClientCapabilityStoreOptions {
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
}

export function createClientCapabilityStore(options: ClientCapabilityStoreOptions = {}): ClientCapabilityStore {
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs ?? 60 * 60 * 1000;
  const cache = createLruCache<string, boolean>({ maxEntries: options.maxEntries ?? 10_000, now });
  return {
    remember(owner, declared, notAfterMs) {
      const expiresAt = Math.min(now() + ttl, notAfterMs ?? Number.POSITIVE_INFINITY);
      if (expiresAt <= now()) return void cache.delete(owner);
      // Without the capability: unable at once, and it stays so even if a look-alike declares it later.
      if (!declared.elicitation) cache.set(owner, false, expiresAt);
      else if (cache.get(owner) !== false) cache.set(owner, true, expiresAt);
    },
    canElicit: (owner) => owner !== undefined && cache.get(owner) === true,
    get size() {
      return cache.size;
    },
  };
}

/**
 * The key that identifies one client's credential: the bearer token for token callers, the session
 * cookie for cookie callers, undefined for anonymous ones. Also the owner of server->client
 * requests: only the same credential may answer them.
 */
export function credentialKey(caller: Caller, credentials: Credentials): string | undefined {
  if (caller.kind === 'token' && credentials.authorization.length === 1) return `token:${sha256Hex(credentials.authorization[0]!.trim())}`;
  if (caller.kind === 'cookie' && credentials.sessionCookie !== undefined) return `cookie:${sha256Hex(credentials.sessionCookie)}`;
  return undefined;
}

/**
 * The key capabilities are remembered under: the credential, plus what tells its clients apart on a
 * stateless wire: the protocol version (in initialize's params, then in every request's
 * MCP-Protocol-Version header) and the User-Agent. A request without the version header (a raw
 * client that never initialized) matches nothing, so it is never elicited.
 */
export function capabilityKey(owner: string | undefined, protocolVersion: unknown, userAgent: string | undefined): string | undefined {
  if (owner === undefined || typeof protocolVersion !== 'string' || protocolVersion === '') return undefined;
  return `${owner}|${protocolVersion}|${sha256Hex(userAgent ?? '')}`;
}

/**
 * True when initialize params declare form-mode elicitation: `capabilities.elicitation` is `{}`
 * (form by default, as the spec says) or names `form`. A URL-only client cannot answer our form.
 */
export function declaresElicitation(params: unknown): boolean {
  const caps = (params as { capabilities?: { elicitation?: unknown } } | undefined)?.capabilities;
  const e = caps?.elicitation;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return false;
  return Object.keys(e).length === 0 || 'form' in e;
}

/** The point past which a caller's entries must not live: a token's exp; nothing for cookies. */
export function credentialExpiry(caller: Caller): number | undefined {
  return caller.kind === 'token' ? caller.expiresAt * 1000 : undefined;
}
