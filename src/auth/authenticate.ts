import type { CasdoorAdapter } from '../casdoor/adapter.js';
import type { Caller, Principal } from './caller.js';
import { RpcCode, Refusal } from './errors.js';
import { dpopBound, invalidToken, userPrincipal, type Resolution } from './identity.js';
import type { ScopeRegistry } from './scopes.js';
import { createLruCache } from './token-cache.js';
import { TokenError, type TokenVerifier, type VerifiedToken } from './token-verifier.js';
import { sha256Hex } from './digest.js';

/** The credential-bearing parts of a request, as the edge (HTTP or stdio) found them. */
export interface Credentials {
  /** Every Authorization header value received (more than one is refused). */
  authorization: readonly string[];
  /** The casdoor_session_id cookie, if any. */
  sessionCookie: string | undefined;
}

export interface AuthenticateHooks {
  /**
   * Called before a credential this server has not resolved yet is checked at all (so before any
   * Casdoor call): a refusal (429) stops it. Credentials already resolved never call it.
   */
  beforeResolve?(): Refusal | undefined | Promise<Refusal | undefined>;
}

export interface Authenticator {
  /**
   * Resolves who is calling. No credentials: anonymous. A credential that fails any check throws a
   * 401 Refusal: a bad token is never treated as anonymous. A bearer token wins over a cookie, and
   * the cookie is then not used at all. Throws CasdoorError when Casdoor cannot be asked.
   */
  authenticate(credentials: Credentials, hooks?: AuthenticateHooks): Promise<Caller>;
}

export interface AuthenticatorOptions {
  verifier: TokenVerifier;
  scopes: ScopeRegistry;
  casdoor: CasdoorAdapter;
  /** Asks Casdoor who a verified token belongs to (identity.ts). */
  resolve(token: string): Promise<Resolution>;
  /** How long Casdoor's answer about a credential is reused; at most 60 s. */
  cacheTtlMs?: number;
  /** Bounds each cache. Default 10 000. */
  maxEntries?: number;
  now?: () => number;
  /**
   * Each look-up of a credential in the caches: hit (Casdoor's earlier answer reused), refused (a
   * refusal remembered), miss (the credential is resolved, which may ask Casdoor). For metrics.
   */
  onLookup?(credential: 'token' | 'cookie', result: IdentityLookup): void;
}

export type IdentityLookup = 'hit' | 'miss' | 'refused';

/** beego's session id: hex (32 characters by default). Anything else is not a Casdoor session. */
const SESSION_ID = /^[0-9a-f]{32,128}$/i;
/** A refused credential is remembered this long, in its own small cache (it never evicts a real one). */
const REFUSED_TTL_MS = 5_000;
const REFUSED_ENTRIES = 1_000;

interface Resolved {
  principal: Principal;
  grantedScopes: string[];
  scopes: ReadonlySet<string>;
  clientId: string | undefined;
  expiresAt: number;
}

function invalidSession(reason: string): Refusal {
  return new Refusal(
    RpcCode.InvalidToken,
    'invalid_session',
    { reason, hint: 'Sign in to Casdoor again, or use an access token.' },
    { error: 'invalid_token', errorDescription: 'session cookie not accepted by Casdoor' },
  );
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const ttl = Math.max(0, Math.min(options.cacheTtlMs ?? 30_000, 60_000));
  const now = options.now ?? (() => Date.now());
  const maxEntries = ttl === 0 ? 0 : (options.maxEntries ?? 10_000);
  // Keyed by a hash of the credential: never the credential itself, never shared between two.
  const tokens = createLruCache<string, Resolved>({ maxEntries, now });
  const cookies = createLruCache<string, Principal>({ maxEntries, now });
  const refused = createLruCache<string, Refusal>({ maxEntries: REFUSED_ENTRIES, now });
  // Concurrent requests with one new credential share one resolution.
  const inFlight = new Map<string, Promise<Resolved>>();
  const lookup = options.onLookup;

  function once(key: string, work: () => Promise<Resolved>): Promise<Resolved> {
    let pending = inFlight.get(key);
    if (!pending) {
      pending = work().finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }

  async function admitted(hooks: AuthenticateHooks | undefined): Promise<void> {
    const limited = await hooks?.beforeResolve?.();
    if (limited) throw limited;
  }

  async function resolveToken(token: string, key: string): Promise<Resolved> {
    let verified: VerifiedToken;
    try {
      verified = await options.verifier.verify(token);
    } catch (err) {
      if (err instanceof TokenError) {
        if (err.code === 'jwks_unavailable') throw err; // a server-side fault, not the caller's
        throw invalidToken(err.message);
      }
      throw err;
    }
    // A DPoP-bound token needs its proof, which a Bearer request cannot carry.
    if (verified.claims.cnf !== undefined) throw dpopBound();
    // Only after local checks, so tokens that fail them never reach Casdoor.
    const answer = await options.resolve(token);
    const resolved: Resolved = {
      principal: answer.principal,
      grantedScopes: answer.scopes,
      scopes: options.scopes.expand(answer.scopes),
      clientId: answer.clientId,
      expiresAt: verified.expiresAt,
    };
    tokens.set(key, resolved, Math.min(now() + ttl, verified.expiresAt * 1000));
    return resolved;
  }

  async function fromBearer(header: string, hooks: AuthenticateHooks | undefined): Promise<Caller> {
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!m) throw invalidToken('the Authorization header must be "Bearer <access token>"');
    const token = m[1]!;
    const key = sha256Hex(token);
    let resolved = tokens.get(key);
    if (!resolved) {
      const known = refused.get(key);
      lookup?.('token', known ? 'refused' : 'miss');
      if (known) throw known;
      await admitted(hooks);
      try {
        resolved = await once(key, () => resolveToken(token, key));
      } catch (err) {
        if (err instanceof Refusal && err.rpcCode === RpcCode.InvalidToken) refused.set(key, err, now() + REFUSED_TTL_MS);
        throw err;
      }
    }
    else lookup?.('token', 'hit');
    return { kind: 'token', ...resolved, grantedScopes: [...resolved.grantedScopes] };
  }

  async function fromCookie(cookie: string, hooks: AuthenticateHooks | undefined): Promise<Caller> {
    if (!SESSION_ID.test(cookie)) throw invalidSession('not a Casdoor session id (casdoor_session_id is a hex string)');
    const key = sha256Hex(cookie);
    let principal = cookies.get(key);
    if (!principal) {
      const known = refused.get(key);
      lookup?.('cookie', known ? 'refused' : 'miss');
      if (known) throw known;
      await admitted(hooks);
      const account = await options.casdoor.getAccount(cookie);
      try {
        if (!account) throw invalidSession('Casdoor does not accept this casdoor_session_id cookie');
        principal = userPrincipal(account);
      } catch (err) {
        const refusal = err instanceof Refusal && err.rpcMessage === 'invalid_session' ? err : invalidSession('Casdoor does not accept this casdoor_session_id cookie');
        refused.set(key, refusal, now() + REFUSED_TTL_MS);
        throw refusal;
      }
      cookies.set(key, principal, now() + ttl);
    } else lookup?.('cookie', 'hit');
    return { kind: 'cookie', principal };
  }

  return {
    async authenticate({ authorization, sessionCookie }, hooks) {
      if (authorization.length > 1) throw invalidToken('send exactly one Authorization header');
      if (authorization.length === 1) return fromBearer(authorization[0]!, hooks);
      if (sessionCookie !== undefined) return fromCookie(sessionCookie, hooks);
      return { kind: 'anonymous' };
    },
  };
}
