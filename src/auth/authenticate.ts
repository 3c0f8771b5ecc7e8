import { createHash } from 'node:crypto';
import type { CasdoorAdapter } from '../casdoor/adapter.js';
import type { Caller, Principal } from './caller.js';
import { RpcCode, Refusal } from './errors.js';
import type { Introspector } from './introspection.js';
import type { ScopeRegistry } from './scopes.js';
import { createLruCache } from './token-cache.js';
import { TokenError, type TokenVerifier, type VerifiedToken } from './token-verifier.js';

/** The credential-bearing parts of a request, as the edge (HTTP or stdio) found them. */
export interface Credentials {
  /** Every Authorization header value received (more than one is refused). */
  authorization: readonly string[];
  /** The casdoor_session_id cookie, if any. */
  sessionCookie: string | undefined;
}

export interface Authenticator {
  /**
   * Resolves who is calling. No credentials: anonymous. A credential that fails any check throws a
   * 401 Refusal: a bad token is never treated as anonymous. A bearer token wins over a cookie, and
   * the cookie is then not used at all. Throws CasdoorError when Casdoor cannot be asked.
   */
  authenticate(credentials: Credentials): Promise<Caller>;
}

export interface AuthenticatorOptions {
  verifier: TokenVerifier;
  scopes: ScopeRegistry;
  casdoor: CasdoorAdapter;
  /** When set (MCP_TOKEN_INTROSPECTION), a verified token must also be active at Casdoor. */
  introspector?: Introspector;
  /** How long a cookie's or a user's resolution is reused (Casdoor's answer can change: keep it short). */
  cacheTtlMs?: number;
  now?: () => number;
}

const sha256 = (v: string): string => createHash('sha256').update(v).digest('hex');

function invalidToken(description: string): Refusal {
  return new Refusal(
    RpcCode.InvalidToken,
    'invalid_token',
    { reason: description, hint: 'Get a new access token from Casdoor for this server and retry.' },
    { error: 'invalid_token', errorDescription: description },
  );
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const ttl = Math.min(options.cacheTtlMs ?? 60_000, 60_000);
  const now = options.now ?? Date.now;
  // Keyed by a hash of the cookie: the cookie itself is never kept.
  const cookies = createLruCache<string, Principal | null>({ maxEntries: 10_000, now });
  const users = createLruCache<string, { isAdmin: boolean; active: boolean } | null>({ maxEntries: 10_000, now });

  async function lookupUser(owner: string, name: string): Promise<{ isAdmin: boolean; active: boolean } | null> {
    const key = `${owner}/${name}`;
    const hit = users.get(key);
    if (hit !== undefined) return hit;
    const user = await options.casdoor.getUser(owner, name);
    const answer = user ? { isAdmin: user.isAdmin === true, active: user.isForbidden !== true && user.isDeleted !== true } : null;
    users.set(key, answer, now() + ttl);
    return answer;
  }

  /** A client_credentials token's sub is "admin/<app>" (Casdoor's pseudo-user); users have UUIDs. */
  async function principalOf(token: VerifiedToken): Promise<Principal> {
    const c = token.claims;
    const app = /^admin\/([^/]+)$/.exec(token.subject);
    if (app && (c.type === 'application' || c.type === undefined)) return { type: 'application', id: token.subject, name: app[1]! };
    const owner = typeof c.owner === 'string' ? c.owner : '';
    // JWT-Standard tokens carry the username in preferred_username and the display name in name.
    const username = typeof c.preferred_username === 'string' ? c.preferred_username : c.name;
    const name = typeof username === 'string' ? username : '';
    if (!owner || !name) {
      // A token that names no Casdoor user (e.g. another authorization server's): only what any user gets.
      return { type: 'user', id: token.subject, owner: '', name: token.subject, isAdmin: false };
    }
    if (typeof c.isAdmin === 'boolean') return { type: 'user', id: `${owner}/${name}`, owner, name, isAdmin: c.isAdmin };
    // JWT-Empty tokens do not say whether the user is an admin: ask Casdoor.
    const user = await lookupUser(owner, name);
    if (!user) throw invalidToken('the token\'s user does not exist in Casdoor');
    if (!user.active) throw invalidToken('the token\'s user is forbidden or deleted in Casdoor');
    return { type: 'user', id: `${owner}/${name}`, owner, name, isAdmin: user.isAdmin };
  }

  async function fromBearer(header: string): Promise<Caller> {
    const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!m) throw invalidToken('the Authorization header must be "Bearer <access token>"');
    let token: VerifiedToken;
    try {
      token = await options.verifier.verify(m[1]!);
    } catch (err) {
      if (err instanceof TokenError) {
        if (err.code === 'jwks_unavailable') throw err; // a server-side fault, not the caller's
        throw invalidToken(err.message);
      }
      throw err;
    }
    // After local verification, so forged tokens never reach Casdoor; CasdoorError means "cannot ask" (503).
    if (options.introspector && !(await options.introspector.isActive(m[1]!, token.expiresAt))) {
      throw invalidToken('token revoked or user disabled');
    }
    return {
      kind: 'token',
      principal: await principalOf(token),
      grantedScopes: token.scopes,
      scopes: options.scopes.expand(token.scopes),
      clientId: token.clientId,
      expiresAt: token.expiresAt,
    };
  }

  async function fromCookie(cookie: string): Promise<Caller> {
    const key = sha256(cookie);
    let principal = cookies.get(key);
    if (principal === undefined) {
      const account = await options.casdoor.getAccount(cookie);
      principal =
        account && account.owner && account.name
          ? { type: 'user', id: `${account.owner}/${account.name}`, owner: account.owner, name: account.name, isAdmin: account.isAdmin === true }
          : null;
      // A refused cookie is remembered only briefly, so signing in again takes effect quickly.
      cookies.set(key, principal, now() + (principal ? ttl : 5_000));
    }
    if (!principal) {
      throw new Refusal(
        RpcCode.InvalidToken,
        'invalid_session',
        { reason: 'Casdoor does not accept this casdoor_session_id cookie', hint: 'Sign in to Casdoor again, or use an access token.' },
        { error: 'invalid_token', errorDescription: 'session cookie not accepted by Casdoor' },
      );
    }
    return { kind: 'cookie', principal };
  }

  return {
    async authenticate({ authorization, sessionCookie }) {
      if (authorization.length > 1) throw invalidToken('send exactly one Authorization header');
      if (authorization.length === 1) return fromBearer(authorization[0]!);
      if (sessionCookie !== undefined) return fromCookie(sessionCookie);
      return { kind: 'anonymous' };
    },
  };
}
