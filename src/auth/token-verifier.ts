/**
 * Verification of Casdoor-issued JWT access tokens for this OAuth 2.1 resource server
 * (MCP authorization, OAuth 2.1 §5.2, RFC 8707, RFC 9068 minus the `typ` check).
 *
 * @module
 */

import { sha256Hex } from './digest.js';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose';
import type { FlattenedJWSInput, JWTHeaderParameters, JWTPayload } from 'jose';
import { createLruCache } from './token-cache.js';
import type { LruCache } from './token-cache.js';

/** Stable reason for a rejected token; the HTTP edge turns every one into 401 `invalid_token`. */
export type TokenErrorCode =
  | 'token_malformed'
  | 'token_too_large'
  | 'token_alg_not_allowed'
  | 'token_signature_invalid'
  | 'token_key_unknown'
  | 'token_key_untrusted'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_issuer_invalid'
  | 'token_audience_invalid'
  | 'token_type_invalid'
  | 'token_claims_invalid'
  | 'jwks_unavailable';

/**
 * A token was rejected (or could not be checked, for `jwks_unavailable`).
 *
 * `message` is a short fixed text safe to put in an `error_description`: it never contains the
 * token or any claim value (the caller controls both), at most the name of the claim that failed,
 * and never a double quote. The underlying jose or network error, if any, is in `cause`: log it,
 * do not send it to the client.
 */
export class TokenError extends Error {
  readonly code: TokenErrorCode;

  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenError';
    this.code = code;
  }
}

/** What a successfully verified access token grants. */
export interface VerifiedToken {
  /** `sub`: a user UUID, or `admin/<appName>` for client_credentials tokens. */
  subject: string;
  /** `azp`, else `client_id`, else undefined. */
  clientId: string | undefined;
  /**
   * Scope tokens as granted, from the space-separated `scope` claim: split on runs of spaces,
   * empties dropped, case kept, duplicates removed (first occurrence kept). Not expanded or checked
   * against any vocabulary. The `scp` claim is NOT read: Casdoor only emits `scope`.
   */
  scopes: string[];
  /** `aud` as an array (Casdoor emits an array; a string becomes a one-element array). */
  audience: string[];
  /** `iss`, equal to the configured issuer. */
  issuer: string;
  /** `exp` in seconds since the epoch. */
  expiresAt: number;
  /** The whole verified payload (owner, name, isAdmin, type, ...), deeply frozen. */
  claims: Readonly<Record<string, unknown>>;
}

/** Options for {@link createTokenVerifier}. Checked when the verifier is created. */
export interface TokenVerifierOptions {
  /** Exact expected `iss` (Casdoor's origin, e.g. `https://door.example.com`). */
  issuer: string;
  /** Accepted audiences: the token's `aud` must contain at least one. */
  audiences: readonly string[];
  /**
   * The trusted keys: the server's own application's JWKS (`/.well-known/<application>/jwks`), not
   * Casdoor's global one, which publishes every organization's certificates. HTTPS is not enforced here.
   */
  jwksUrl: URL;
  /**
   * Casdoor's global JWKS, consulted only for a kid the trusted JWKS lacks: a kid listed in `kids`
   * verifies from it (MCP_TRUSTED_CERTS); any other key found there is refused as untrusted.
   */
  globalJwks?: { url: URL; kids: readonly string[] };
  /** Allowed `alg` values, a subset of what Casdoor signs with. Default: all five of them. */
  algorithms?: readonly string[];
  /** Leeway for `exp`/`nbf`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Longer tokens (in UTF-8 bytes) are refused before any parsing. Default 65536. */
  maxTokenBytes?: number;
  /** Cache of successful verifications. Default 10 000 entries; 0 disables caching. */
  cache?: { maxEntries?: number };
  /** Fetch used for the JWKS (jose `customFetch`). Default: global fetch. */
  fetchImpl?: typeof fetch;
  /** Minimum time between JWKS refetches triggered by an unknown `kid`, in ms. Default 30 000. */
  jwksCooldownMs?: number;
  /** Age after which the JWKS is refetched before use, in ms. Default 600 000. */
  jwksCacheMaxAgeMs?: number;
  /** Timeout of one JWKS request, in ms. Default 5 000. */
  jwksTimeoutMs?: number;
  /** Clock in ms for `exp`/`nbf` checks and cache expiry. Default `Date.now`. */
  now?: () => number;
}

/** A configured verifier. Holds the JWKS and verification caches; share one per issuer. */
export interface TokenVerifier {
  /**
   * Resolves with the verified token, or rejects with a {@link TokenError}. Errors that are not
   * token or JWKS problems (bugs) are rethrown as they are.
   */
  verify(token: string): Promise<VerifiedToken>;
  /** Counters since creation: full (jose) verifications attempted, and cache hits (a snapshot). */
  readonly stats: { verifications: number; cacheHits: number };
}

/** What Casdoor can sign access tokens with (`application.tokenSigningMethod`). */
const CASDOOR_ALGORITHMS: readonly string[] = ['RS256', 'RS512', 'ES256', 'ES384', 'ES512'];

/** Casdoor's `tokenType` for access tokens (refresh tokens: `refresh-token`, ID: `id-token`). */
const ACCESS_TOKEN_TYPE = 'access-token';

/** How long a verification may be reused, so a key removed from the JWKS soon stops working. */
const CACHE_TTL_MS = 5 * 60 * 1000;

const MESSAGES: Record<TokenErrorCode, string> = {
  token_malformed: 'token is malformed',
  token_too_large: 'token too large',
  token_alg_not_allowed: 'token signing algorithm not allowed',
  token_signature_invalid: 'token signature invalid',
  token_key_unknown: 'token signing key not found',
  token_key_untrusted: 'token signed by a Casdoor certificate this server does not trust (only its own application\'s certificate and MCP_TRUSTED_CERTS are)',
  token_expired: 'token expired',
  token_not_yet_valid: 'token not yet valid',
  token_issuer_invalid: 'issuer not accepted',
  token_audience_invalid: 'audience not accepted',
  token_type_invalid: 'token is not an access token',
  token_claims_invalid: 'token claims invalid',
  jwks_unavailable: 'signing keys unavailable',
};

/** Claim names jose may report that are worth naming in a message; anything else stays generic. */
const NAMEABLE_CLAIMS = new Set(['iat', 'exp', 'nbf', 'sub', 'typ']);

const caches = new WeakMap<TokenVerifier, LruCache<string, VerifiedToken>>();

/**
 * Creates a verifier for Casdoor JWT access tokens.
 *
 * Checks, in order: size; then through jose the compact JWS shape, the `alg` allow-list (so `none`
 * and HS* are refused), the signature against a key from `jwksUrl` chosen by `kid`, `iss`, `aud`,
 * `nbf` and `exp` with the clock tolerance; then that `tokenType`, if present, is `access-token`,
 * that `sub` is a non-empty string, that `exp` is present, and the types of `scope`, `azp`,
 * `client_id` and `aud`. Keys are only ever fetched from `jwksUrl`: `jku`, `x5u` and `kid` values
 * are never dereferenced.
 *
 * Does NOT check: scopes against any tool (the caller does), revocation (Casdoor's own MCP server
 * looks tokens up in its database; a self-contained JWT check cannot, so a revoked token is
 * accepted until `exp`), the user's forbidden/deleted status, `typ: at+jwt` (Casdoor emits
 * `typ: JWT`), `iat`, `jti` replay, or `scp`.
 *
 * Successful results are cached by the SHA-256 of the token (never the token itself) until the
 * earlier of `exp` (plus the clock tolerance, as jose allows) and five minutes after caching.
 * Failures are never cached.
 *
 * @throws TypeError for invalid options.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const settings = checkOptions(options);
  const now = settings.now;

  const jwks = createRemoteJWKSet(settings.jwksUrl, {
    cooldownDuration: settings.jwksCooldownMs,
    cacheMaxAge: settings.jwksCacheMaxAgeMs,
    timeoutDuration: settings.jwksTimeoutMs,
    ...(settings.fetchImpl === undefined ? {} : { [customFetch]: settings.fetchImpl }),
  });

  // Anything other than "no such key" while resolving a key is a JWKS problem, not a token
  // problem; tagging it here avoids guessing later from jose's generic error code.
  const global = options.globalJwks
    ? {
        set: createRemoteJWKSet(new URL(options.globalJwks.url.href), {
          cooldownDuration: settings.jwksCooldownMs,
          cacheMaxAge: settings.jwksCacheMaxAgeMs,
          timeoutDuration: settings.jwksTimeoutMs,
          ...(settings.fetchImpl === undefined ? {} : { [customFetch]: settings.fetchImpl }),
        }),
        kids: new Set(options.globalJwks.kids),
      }
    : undefined;

  // A kid the trusted JWKS lacks: from the global JWKS only when the operator trusts that certificate.
  const fromGlobal = async (header: JWTHeaderParameters, token: FlattenedJWSInput, notFound: unknown) => {
    if (!global || typeof header.kid !== 'string') throw notFound;
    let key;
    try {
      key = await global.set(header, token);
    } catch {
      throw notFound;
    }
    if (!global.kids.has(header.kid)) throw tokenError('token_key_untrusted');
    return key;
  };

  const getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
    try {
      return await jwks(header, token);
    } catch (error) {
      const code = error instanceof errors.JOSEError ? error.code : undefined;
      if (code === 'ERR_JWKS_NO_MATCHING_KEY') return fromGlobal(header, token, error);
      if (code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
        throw error;
      }
      // The JWKS could not be (re)fetched. Keys fetched before keep working meanwhile, however old:
      // a kid they hold verifies, any other kid is the token's problem (401), not an outage.
      const cached = jwks.jwks();
      if (cached !== undefined) {
        return createLocalJWKSet(cached)(header, token);
      }
      throw tokenError('jwks_unavailable', error);
    }
  };

  const cache = createLruCache<string, VerifiedToken>({ maxEntries: settings.maxEntries, now });
  let verifications = 0;
  let cacheHits = 0;

  const verifier: TokenVerifier = {
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0) {
        throw tokenError('token_malformed');
      }
      // Length first: a string longer than the limit in UTF-16 units is longer in UTF-8 too,
      // which avoids even scanning an oversized input.
      const { maxTokenBytes } = settings;
      if (token.length > maxTokenBytes || Buffer.byteLength(token, 'utf8') > maxTokenBytes) {
        throw tokenError('token_too_large');
      }

      const key = sha256Hex(token);
      const cached = cache.get(key);
      if (cached !== undefined) {
        cacheHits += 1;
        return copyResult(cached);
      }

      verifications += 1;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: settings.issuer,
          audience: settings.audiences,
          algorithms: settings.algorithms,
          clockTolerance: settings.clockToleranceSeconds,
          currentDate: new Date(now()),
        }));
      } catch (error) {
        throw mapJoseError(error);
      }

      const result = toVerifiedToken(payload);
      // Never reuse a result past the instant jose itself would call the token expired.
      const expiresAt = Math.min(
        (result.expiresAt + settings.clockToleranceSeconds) * 1000,
        now() + CACHE_TTL_MS,
      );
      cache.set(key, result, expiresAt);
      return copyResult(result);
    },
    get stats() {
      return { verifications, cacheHits };
    },
  };
  caches.set(verifier, cache);
  return verifier;
}

/**
 * Test and diagnostics accessor: the size of a verifier's result cache and its keys (SHA-256 hex
 * digests of tokens, least recently used first). Returns undefined for objects not created by
 * {@link createTokenVerifier}.
 */
export function inspectTokenCache(
  verifier: TokenVerifier,
): { size: number; keys: string[] } | undefined {
  const cache = caches.get(verifier);
  return cache === undefined ? undefined : { size: cache.size, keys: cache.keys() };
}

interface Settings {
  issuer: string;
  audiences: string[];
  jwksUrl: URL;
  algorithms: string[];
  clockToleranceSeconds: number;
  maxTokenBytes: number;
  maxEntries: number;
  fetchImpl: typeof fetch | undefined;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
  jwksTimeoutMs: number;
  now: () => number;
}

/** Validates options eagerly so misconfiguration fails at startup, not on the first request. */
function checkOptions(options: TokenVerifierOptions): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('token verifier options must be an object');
  }
  const { issuer, audiences, jwksUrl } = options;
  if (typeof issuer !== 'string' || issuer.length === 0) {
    throw new TypeError('issuer must be a non-empty string');
  }
  if (
    !Array.isArray(audiences) ||
    audiences.length === 0 ||
    !audiences.every((aud) => typeof aud === 'string' && aud.length > 0)
  ) {
    throw new TypeError('audiences must be a non-empty array of non-empty strings');
  }
  if (!(jwksUrl instanceof URL)) {
    throw new TypeError('jwksUrl must be a URL');
  }
  const algorithms = options.algorithms ?? CASDOOR_ALGORITHMS;
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every((alg) => CASDOOR_ALGORITHMS.includes(alg))
  ) {
    const allowed = CASDOOR_ALGORITHMS.join(', ');
    throw new TypeError(`algorithms must be a non-empty subset of ${allowed}`);
  }
  if (options.fetchImpl !== undefined && typeof options.fetchImpl !== 'function') {
    throw new TypeError('fetchImpl must be a function');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('now must be a function');
  }
  return {
    issuer,
    audiences: [...audiences],
    jwksUrl: new URL(jwksUrl.href),
    algorithms: [...algorithms],
    clockToleranceSeconds: checkNumber(
      'clockToleranceSeconds',
      options.clockToleranceSeconds,
      30,
      false,
    ),
    maxTokenBytes: checkNumber('maxTokenBytes', options.maxTokenBytes, 65536, true, 1),
    maxEntries: checkNumber('cache.maxEntries', options.cache?.maxEntries, 10_000, true),
    fetchImpl: options.fetchImpl,
    jwksCooldownMs: checkNumber('jwksCooldownMs', options.jwksCooldownMs, 30_000, true),
    jwksCacheMaxAgeMs: checkNumber('jwksCacheMaxAgeMs', options.jwksCacheMaxAgeMs, 600_000, true),
    jwksTimeoutMs: checkNumber('jwksTimeoutMs', options.jwksTimeoutMs, 5_000, true),
    now: options.now ?? Date.now,
  };
}

function checkNumber(
  name: string,
  value: unknown,
  fallback: number,
  integer: boolean,
  min = 0,
): number {
  if (value === undefined) {
    return fallback;
  }
  const valid = integer ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (typeof value !== 'number' || !valid || value < min) {
    throw new TypeError(`${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}`);
  }
  return value;
}

function tokenError(code: TokenErrorCode, cause?: unknown, message = MESSAGES[code]): TokenError {
  return new TokenError(code, message, cause === undefined ? undefined : { cause });
}

/** Maps jose's error codes to ours; a non-jose error is a bug and is returned unchanged. */
function mapJoseError(error: unknown): unknown {
  if (error instanceof TokenError || !(error instanceof errors.JOSEError)) {
    return error;
  }
  switch (error.code) {
    case 'ERR_JWT_EXPIRED':
      return tokenError('token_expired', error);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return mapClaimError(error);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return tokenError('token_signature_invalid', error);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return tokenError('token_alg_not_allowed', error);
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return tokenError('token_key_unknown', error);
    case 'ERR_JWKS_TIMEOUT':
      return tokenError('jwks_unavailable', error);
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID, ERR_JOSE_NOT_SUPPORTED (e.g. unknown `crit`), ...
      return tokenError('token_malformed', error);
  }
}

function mapClaimError(error: errors.JOSEError): TokenError {
  const { claim, reason } = error as Partial<errors.JWTClaimValidationFailed>;
  if (claim === 'iss') {
    return tokenError('token_issuer_invalid', error);
  }
  if (claim === 'aud') {
    return tokenError('token_audience_invalid', error);
  }
  if (claim === 'nbf' && reason === 'check_failed') {
    return tokenError('token_not_yet_valid', error);
  }
  // A claim of the wrong type (e.g. a string `exp`): name it only if it is a fixed, known name.
  return claim !== undefined && NAMEABLE_CLAIMS.has(claim)
    ? tokenError('token_claims_invalid', error, `invalid ${claim} claim`)
    : tokenError('token_claims_invalid', error);
}

/** Checks the Casdoor-specific claims jose does not know about and builds the result. */
function toVerifiedToken(payload: JWTPayload): VerifiedToken {
  const claims: Record<string, unknown> = payload;

  // Casdoor signs refresh and ID tokens with the same key and audience: only access tokens pass.
  // A JWT-Custom refresh token keeps tokenType "access-token" and adds TokenType "refresh-token".
  for (const name of ['tokenType', 'TokenType']) {
    if (Object.hasOwn(claims, name) && claims[name] !== ACCESS_TOKEN_TYPE) {
      throw tokenError('token_type_invalid');
    }
  }
  const { sub, exp, aud, iss } = payload;
  if (typeof sub !== 'string' || sub.length === 0) {
    throw claimsInvalid('sub');
  }
  // jose checks exp only when present; a token that never expires is not acceptable.
  if (typeof exp !== 'number') {
    throw claimsInvalid('exp');
  }
  if (typeof iss !== 'string') {
    throw claimsInvalid('iss');
  }
  const audience = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(audience) || !audience.every((value) => typeof value === 'string')) {
    throw claimsInvalid('aud');
  }
  const azp = optionalString(claims, 'azp');
  const clientId = optionalString(claims, 'client_id');
  const scope = claims['scope'];
  if (scope !== undefined && typeof scope !== 'string') {
    throw claimsInvalid('scope');
  }

  return Object.freeze({
    subject: sub,
    clientId: azp ?? clientId,
    scopes: Object.freeze(parseScope(scope ?? '')) as string[],
    audience: Object.freeze([...audience]) as string[],
    issuer: iss,
    expiresAt: exp,
    claims: deepFreeze(claims),
  });
}

function optionalString(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  if (value !== undefined && typeof value !== 'string') {
    throw claimsInvalid(name);
  }
  return value;
}

function claimsInvalid(claim: string): TokenError {
  return tokenError('token_claims_invalid', undefined, `invalid ${claim} claim`);
}

/** RFC 6749 §3.3 scope syntax: space-delimited, case-sensitive tokens. */
function parseScope(scope: string): string[] {
  return [...new Set(scope.split(/ +/).filter((item) => item.length > 0))];
}

/**
 * Cached results are shared between requests, so they are frozen; callers get fresh arrays so
 * that code written against the mutable `string[]` type does not throw.
 */
function copyResult(result: VerifiedToken): VerifiedToken {
  return { ...result, scopes: [...result.scopes], audience: [...result.audience] };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) {
      deepFreeze(member);
    }
  }
  return value;
}
