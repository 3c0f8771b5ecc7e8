import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTokenVerifier,
  inspectTokenCache,
  TokenError,
} from '../../src/auth/token-verifier.js';
import type {
  TokenErrorCode,
  TokenVerifier,
  TokenVerifierOptions,
} from '../../src/auth/token-verifier.js';

// A fixed clock: tokens are built relative to it and the verifier is given it as `now`.
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_S = NOW / 1000;
const ISSUER = 'https://door.example.com';
const CANONICAL = 'https://mcp.example.com/mcp';
const CLIENT_ID = 'c0ffee00c0ffee00c0ff';
const JWKS_PATH = '/.well-known/jwks';

interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function makeKey(alg: string, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

let rsa: TestKey;
let ec: TestKey;
let rsaImpostor: TestKey; // same kid as `rsa`, different key material
let rsaNext: TestKey; // the key Casdoor rotates to
let rsaPublicPem: string;

// The JWKS server: a real loopback HTTP listener whose behaviour each test can switch.
let server: Server;
let jwksUrl: URL;
let jwksKeys: JWK[];
let jwksMode: 'ok' | 'down' | 'hang' | 'garbage' | 'redirect';
const serverRequests: string[] = [];
// Every URL jose asked the fetch implementation for, whatever its host.
const fetched: string[] = [];

const recordingFetch: typeof fetch = (input, init) => {
  fetched.push(input instanceof Request ? input.url : String(input));
  return fetch(input, init);
};

let clockMs = NOW;

beforeAll(async () => {
  [rsa, ec, rsaImpostor, rsaNext] = await Promise.all([
    makeKey('RS256', 'cert-built-in'),
    makeKey('ES256', 'cert-ec'),
    makeKey('RS256', 'cert-built-in'),
    makeKey('RS256', 'cert-2026'),
  ]);
  const { publicKey } = await generateKeyPair('RS256', { extractable: true });
  rsaPublicPem = await exportSPKI(publicKey);

  server = createServer((req, res) => {
    serverRequests.push(req.url ?? '');
    switch (jwksMode) {
      case 'hang':
        return; // never answers; the verifier's timeout must fire
      case 'down':
        res.writeHead(503).end('unavailable');
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": "nope"');
        return;
      case 'redirect':
        res.writeHead(302, { location: '/elsewhere/jwks' }).end();
        return;
      case 'ok':
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: jwksKeys }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  jwksUrl = new URL(`http://127.0.0.1:${port}${JWKS_PATH}`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
});

beforeEach(() => {
  jwksKeys = [rsa.publicJwk, ec.publicJwk];
  jwksMode = 'ok';
  serverRequests.length = 0;
  fetched.length = 0;
  clockMs = NOW;
});

function makeVerifier(overrides: Partial<TokenVerifierOptions> = {}): TokenVerifier {
  return createTokenVerifier({
    issuer: ISSUER,
    audiences: [CANONICAL, CLIENT_ID],
    jwksUrl,
    fetchImpl: recordingFetch,
    now: () => clockMs,
    ...overrides,
  });
}

/** Claims shaped like a Casdoor client_credentials access token. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    owner: 'admin',
    name: 'mcp-app',
    type: 'application',
    iss: ISSUER,
    sub: 'admin/mcp-app',
    aud: [CLIENT_ID],
    exp: NOW_S + 3600,
    nbf: NOW_S,
    iat: NOW_S,
    jti: 'admin/token-1',
    tokenType: 'access-token',
    scope: 'read:application write:application',
    azp: CLIENT_ID,
    ...overrides,
  };
}

async function sign(
  payload: Record<string, unknown>,
  key: TestKey = rsa,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Asserts a rejection with `code` and a message that is safe to echo back. */
async function expectTokenError(
  promise: Promise<unknown>,
  code: TokenErrorCode,
  token?: string,
): Promise<TokenError> {
  const error: unknown = await promise.then(
    () => {
      throw new Error(`expected a ${code} rejection, but the token was accepted`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TokenError);
  const tokenError = error as TokenError;
  expect(tokenError.code).toBe(code);
  expect(tokenError.message).toMatch(/^[a-z ]{5,60}$/);
  if (token !== undefined) {
    for (const part of token.split('.').filter((segment) => segment.length > 3)) {
      expect(tokenError.message).not.toContain(part);
    }
  }
  return tokenError;
}

describe('createTokenVerifier options', () => {
  const base = (): TokenVerifierOptions => ({ issuer: ISSUER, audiences: [CANONICAL], jwksUrl });

  it.each<[string, Partial<TokenVerifierOptions>]>([
    ['empty issuer', { issuer: '' }],
    ['no audiences', { audiences: [] }],
    ['an empty audience', { audiences: [''] }],
    ['a string jwksUrl', { jwksUrl: `${ISSUER}/.well-known/jwks` as unknown as URL }],
    ['HS256', { algorithms: ['HS256'] }],
    ['none', { algorithms: ['RS256', 'none'] }],
    ['PS256 (not a Casdoor algorithm)', { algorithms: ['PS256'] }],
    ['an empty algorithm list', { algorithms: [] }],
    ['a negative clock tolerance', { clockToleranceSeconds: -1 }],
    ['a NaN clock tolerance', { clockToleranceSeconds: Number.NaN }],
    ['a fractional maxTokenBytes', { maxTokenBytes: 10.5 }],
    ['a zero maxTokenBytes', { maxTokenBytes: 0 }],
    ['a negative cache size', { cache: { maxEntries: -1 } }],
    ['a fractional JWKS timeout', { jwksTimeoutMs: 1.5 }],
    ['a non-function fetchImpl', { fetchImpl: 'fetch' as unknown as typeof fetch }],
  ])('throws TypeError for %s', (_name, overrides) => {
    expect(() => createTokenVerifier({ ...base(), ...overrides })).toThrow(TypeError);
  });

  it('accepts a subset of the Casdoor algorithms and does no I/O when created', () => {
    makeVerifier({ algorithms: ['ES256', 'RS512'] });
    expect(fetched).toEqual([]);
    expect(serverRequests).toEqual([]);
  });
});

describe('valid tokens', () => {
  it('accepts an RS256 Casdoor access token and returns its grants', async () => {
    const verifier = makeVerifier();
    const result = await verifier.verify(await sign(claims()));
    expect(result).toEqual({
      subject: 'admin/mcp-app',
      clientId: CLIENT_ID,
      scopes: ['read:application', 'write:application'],
      audience: [CLIENT_ID],
      issuer: ISSUER,
      expiresAt: NOW_S + 3600,
      claims: expect.objectContaining({ owner: 'admin', name: 'mcp-app', type: 'application' }),
    });
    expect(Object.isFrozen(result.claims)).toBe(true);
    // The JWKS came over real HTTP from the one configured URL.
    expect(fetched).toEqual([jwksUrl.href]);
    expect(serverRequests).toEqual([JWKS_PATH]);
  });

  it('accepts an ES256 token', async () => {
    const result = await makeVerifier().verify(await sign(claims(), ec));
    expect(result.subject).toBe('admin/mcp-app');
  });

  it('accepts aud as a string', async () => {
    const result = await makeVerifier().verify(await sign(claims({ aud: CANONICAL })));
    expect(result.audience).toEqual([CANONICAL]);
  });

  it('accepts an aud array containing one accepted value among others', async () => {
    const aud = ['https://other.example/api', CANONICAL, 'another-client'];
    const result = await makeVerifier().verify(await sign(claims({ aud })));
    expect(result.audience).toEqual(aud);
  });

  it('accepts tokenType access-token and an absent tokenType', async () => {
    const verifier = makeVerifier();
    await expect(verifier.verify(await sign(claims()))).resolves.toBeDefined();
    const untyped = await verifier.verify(await sign(claims({ tokenType: undefined })));
    expect(untyped.claims).not.toHaveProperty('tokenType');
  });

  it('accepts exp and nbf within the clock tolerance', async () => {
    const verifier = makeVerifier({ clockToleranceSeconds: 30 });
    await expect(verifier.verify(await sign(claims({ exp: NOW_S - 29 })))).resolves.toBeDefined();
    await expect(verifier.verify(await sign(claims({ nbf: NOW_S + 30 })))).resolves.toBeDefined();
  });

  it('falls back to client_id; clientId is undefined without azp and client_id', async () => {
    const verifier = makeVerifier();
    const viaClientId = await verifier.verify(
      await sign(claims({ azp: undefined, client_id: 'from-client-id' })),
    );
    expect(viaClientId.clientId).toBe('from-client-id');
    const none = await verifier.verify(await sign(claims({ azp: undefined })));
    expect(none.clientId).toBeUndefined();
  });

  it('ignores jku and x5u headers: keys only ever come from jwksUrl', async () => {
    const token = await sign(claims(), rsa, {
      jku: 'https://evil.example/jwks.json',
      x5u: 'https://evil.example/cert.pem',
    });
    await expect(makeVerifier().verify(token)).resolves.toBeDefined();
    expect(fetched).toEqual([jwksUrl.href]);
  });
});

describe('scope parsing', () => {
  it('splits on runs of spaces, drops empties, keeps case and order, dedupes', async () => {
    const scope = '  read:application   Write:Application read:application  openid ';
    const result = await makeVerifier().verify(await sign(claims({ scope })));
    expect(result.scopes).toEqual(['read:application', 'Write:Application', 'openid']);
  });

  it('returns no scopes when scope is absent or empty', async () => {
    const verifier = makeVerifier();
    expect((await verifier.verify(await sign(claims({ scope: undefined })))).scopes).toEqual([]);
    expect((await verifier.verify(await sign(claims({ scope: '' })))).scopes).toEqual([]);
  });

  it('does not read scp', async () => {
    const token = await sign(claims({ scope: undefined, scp: ['write:application'] }));
    expect((await makeVerifier().verify(token)).scopes).toEqual([]);
  });

  it.each([[['read:application']], [42], [null], [{ read: true }]])(
    'rejects a scope claim that is not a string: %j',
    async (scope) => {
      const token = await sign(claims({ scope }));
      const error = await expectTokenError(makeVerifier().verify(token), 'token_claims_invalid');
      expect(error.message).toBe('invalid scope claim');
    },
  );
});

describe('rejected claims', () => {
  it('rejects a wrong audience without echoing it', async () => {
    const token = await sign(claims({ aud: ['attacker-client'] }));
    const verifying = makeVerifier().verify(token);
    const error = await expectTokenError(verifying, 'token_audience_invalid', token);
    expect(error.message).toBe('audience not accepted');
    expect(error.message).not.toContain('attacker');
  });

  it('rejects a missing audience', async () => {
    const token = await sign(claims({ aud: undefined }));
    await expectTokenError(makeVerifier().verify(token), 'token_audience_invalid');
  });

  it('rejects an aud array with a non-string member, even beside an accepted one', async () => {
    const token = await sign(claims({ aud: [CLIENT_ID, 7] }));
    await expectTokenError(makeVerifier().verify(token), 'token_claims_invalid');
  });

  it.each([['https://evil.example'], [`${ISSUER}/`], ['HTTPS://DOOR.EXAMPLE.COM'], [undefined]])(
    'rejects issuer %s',
    async (iss) => {
      const token = await sign(claims({ iss }));
      const error = await expectTokenError(makeVerifier().verify(token), 'token_issuer_invalid');
      expect(error.message).toBe('issuer not accepted');
    },
  );

  it('rejects an expired token, including just beyond the clock tolerance', async () => {
    const verifier = makeVerifier({ clockToleranceSeconds: 30 });
    const error = await expectTokenError(
      verifier.verify(await sign(claims({ exp: NOW_S - 3600 }))),
      'token_expired',
    );
    expect(error.message).toBe('token expired');
    expect(error.cause).toBeDefined();
    const justExpired = await sign(claims({ exp: NOW_S - 30 }));
    await expectTokenError(verifier.verify(justExpired), 'token_expired');
  });

  it('rejects a token whose nbf is in the future', async () => {
    const verifier = makeVerifier({ clockToleranceSeconds: 30 });
    await expectTokenError(
      verifier.verify(await sign(claims({ nbf: NOW_S + 3600 }))),
      'token_not_yet_valid',
    );
    await expectTokenError(
      verifier.verify(await sign(claims({ nbf: NOW_S + 31 }))),
      'token_not_yet_valid',
    );
  });

  it('rejects a token without exp', async () => {
    const token = await sign(claims({ exp: undefined }));
    const error = await expectTokenError(makeVerifier().verify(token), 'token_claims_invalid');
    expect(error.message).toBe('invalid exp claim');
  });

  it('rejects an exp that is not a number', async () => {
    const token = await sign(claims({ exp: String(NOW_S + 3600) }));
    await expectTokenError(makeVerifier().verify(token), 'token_claims_invalid');
  });

  it.each([[undefined], [''], [42]])('rejects sub %j', async (sub) => {
    const token = await sign(claims({ sub }));
    const error = await expectTokenError(makeVerifier().verify(token), 'token_claims_invalid');
    expect(error.message).toBe('invalid sub claim');
  });

  it('rejects an azp that is not a string', async () => {
    const token = await sign(claims({ azp: ['x'] }));
    await expectTokenError(makeVerifier().verify(token), 'token_claims_invalid');
  });

  it.each([['refresh-token'], ['id-token'], ['Access-Token'], [''], [null]])(
    'rejects tokenType %j',
    async (tokenType) => {
      const token = await sign(claims({ tokenType }));
      const error = await expectTokenError(makeVerifier().verify(token), 'token_type_invalid');
      expect(error.message).toBe('token is not an access token');
    },
  );
});

describe('algorithms and keys', () => {
  it('rejects alg none, before any key is fetched', async () => {
    const payload = b64(claims());
    const verifier = makeVerifier();
    for (const header of [{ alg: 'none' }, { alg: 'none', typ: 'JWT', kid: rsa.kid }]) {
      const token = `${b64(header)}.${payload}.`;
      await expectTokenError(verifier.verify(token), 'token_alg_not_allowed', token);
    }
    // Also when a "signature" is appended.
    await expectTokenError(
      verifier.verify(`${b64({ alg: 'none' })}.${payload}.AAAA`),
      'token_alg_not_allowed',
    );
    expect(fetched).toEqual([]);
    expect(verifier.stats.verifications).toBe(3);
  });

  it('rejects HS256/HS512 tokens keyed with the RSA public key (algorithm confusion)', async () => {
    const verifier = makeVerifier();
    const secrets = [rsaPublicPem, JSON.stringify(rsa.publicJwk)].map((text) =>
      new TextEncoder().encode(text),
    );
    for (const secret of secrets) {
      for (const alg of ['HS256', 'HS512']) {
        const token = await new SignJWT(claims())
          .setProtectedHeader({ alg, kid: rsa.kid, typ: 'JWT' })
          .sign(secret);
        await expectTokenError(verifier.verify(token), 'token_alg_not_allowed', token);
      }
    }
    expect(fetched).toEqual([]);
  });

  it('rejects an algorithm outside the configured subset', async () => {
    const verifier = makeVerifier({ algorithms: ['ES256'] });
    await expectTokenError(verifier.verify(await sign(claims())), 'token_alg_not_allowed');
    await expect(verifier.verify(await sign(claims(), ec))).resolves.toBeDefined();
  });

  it('rejects an unknown kid after a single JWKS fetch', async () => {
    const verifier = makeVerifier();
    const token = await sign(claims(), rsa, { kid: 'no-such-cert' });
    const error = await expectTokenError(verifier.verify(token), 'token_key_unknown');
    expect(error.message).toBe('token signing key not found');
    expect(fetched).toEqual([jwksUrl.href]);
  });

  it.each([
    ['../../etc/passwd'],
    ['https://evil.example/jwks'],
    ['/.well-known/jwks?x=1'],
    ['%2e%2e/admin'],
  ])(
    'never fetches anything but jwksUrl for kid %s',
    async (kid) => {
      const verifier = makeVerifier({ jwksCooldownMs: 0 });
      const token = await sign(claims(), rsa, { kid });
      await expectTokenError(verifier.verify(token), 'token_key_unknown');
      await expectTokenError(verifier.verify(token), 'token_key_unknown');
      expect(fetched.length).toBeGreaterThan(0);
      expect(new Set(fetched)).toEqual(new Set([jwksUrl.href]));
      expect(new Set(serverRequests)).toEqual(new Set([JWKS_PATH]));
    },
  );

  it('rejects a token signed by a different key under a known kid', async () => {
    const token = await sign(claims(), rsaImpostor);
    await expectTokenError(makeVerifier().verify(token), 'token_signature_invalid', token);
  });

  it('does not use an RSA key for an ES256 token that names its kid', async () => {
    const token = await sign(claims(), ec, { kid: rsa.kid });
    await expectTokenError(makeVerifier().verify(token), 'token_key_unknown');
  });

  it('rejects a token whose kid matches several keys', async () => {
    jwksKeys = [rsa.publicJwk, { ...rsaNext.publicJwk, kid: rsa.kid }];
    await expectTokenError(makeVerifier().verify(await sign(claims())), 'token_key_unknown');
  });
});

describe('malformed and tampered tokens', () => {
  it.each([
    ['an empty string', ''],
    ['one segment', 'abc'],
    ['empty segments', '..'],
    ['four segments', 'a.b.c.d'],
    ['non-JSON header', 'a.b.c'],
    ['a JSON header that is not an object', `${b64([1])}.${b64({})}.AAAA`],
  ])('rejects %s as malformed', async (_name, token) => {
    await expectTokenError(makeVerifier().verify(token), 'token_malformed');
  });

  it('rejects a non-string token', async () => {
    const verifier = makeVerifier();
    await expectTokenError(verifier.verify(undefined as unknown as string), 'token_malformed');
    await expectTokenError(verifier.verify({} as unknown as string), 'token_malformed');
  });

  it('rejects truncated tokens', async () => {
    const token = await sign(claims());
    const verifier = makeVerifier();
    const twoParts = token.slice(0, token.lastIndexOf('.'));
    await expectTokenError(verifier.verify(twoParts), 'token_malformed');
    await expectTokenError(verifier.verify(token.slice(0, 20)), 'token_malformed');
    await expectTokenError(verifier.verify(token.slice(0, -10)), 'token_signature_invalid');
  });

  it('rejects a tampered payload', async () => {
    const token = await sign(claims());
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64(claims({ scope: 'admin', sub: 'admin/admin' }))}.${signature}`;
    await expectTokenError(makeVerifier().verify(forged), 'token_signature_invalid', forged);
  });

  it('rejects the same claims re-encoded differently', async () => {
    const original = claims();
    const token = await sign(original);
    const [header, , signature] = token.split('.');
    const reencoded = Buffer.from(JSON.stringify(original, null, 1)).toString('base64url');
    await expectTokenError(
      makeVerifier().verify(`${header}.${reencoded}.${signature}`),
      'token_signature_invalid',
    );
  });

  it('rejects every single-character change to the header and payload', async () => {
    const token = await sign(claims());
    const signed = token.lastIndexOf('.');
    const verifier = makeVerifier({ cache: { maxEntries: 0 } });
    const codes = new Set<TokenErrorCode>();
    for (let i = 0; i < signed; i += 1) {
      if (token[i] === '.') {
        continue;
      }
      const replacement = token[i] === 'A' ? 'B' : 'A';
      const mutated = token.slice(0, i) + replacement + token.slice(i + 1);
      const error: unknown = await verifier.verify(mutated).then(
        () => new Error(`mutation at ${i} was accepted`),
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(TokenError);
      codes.add((error as TokenError).code);
    }
    expect(codes.has('token_signature_invalid')).toBe(true);
  });
});

describe('token size', () => {
  it('rejects a token over 64 KiB (the default) before parsing or fetching anything', async () => {
    const verifier = makeVerifier();
    await expectTokenError(verifier.verify('a'.repeat(65_537)), 'token_too_large');
    // 33,000 characters but 66,000 UTF-8 bytes.
    await expectTokenError(verifier.verify('é'.repeat(33_000)), 'token_too_large');
    const big = await sign(claims({ properties: { blob: 'x'.repeat(50_000) } }));
    await expectTokenError(verifier.verify(big), 'token_too_large', big);
    expect(fetched).toEqual([]);
    expect(verifier.stats.verifications).toBe(0);
  });

  it('applies the limit inclusively', async () => {
    const token = await sign(claims());
    const atLimit = makeVerifier({ maxTokenBytes: token.length });
    await expect(atLimit.verify(token)).resolves.toBeDefined();
    await expectTokenError(
      makeVerifier({ maxTokenBytes: token.length - 1 }).verify(token),
      'token_too_large',
    );
  });
});

describe('JWKS fetching', () => {
  it('fetches the JWKS once for many tokens', async () => {
    const verifier = makeVerifier({ cache: { maxEntries: 0 } });
    for (const jti of ['a', 'b', 'c']) {
      await verifier.verify(await sign(claims({ jti }), jti === 'b' ? ec : rsa));
    }
    expect(serverRequests).toEqual([JWKS_PATH]);
  });

  it('picks up a rotated key once the cooldown allows a refetch', async () => {
    const verifier = makeVerifier({ jwksCooldownMs: 0 });
    await verifier.verify(await sign(claims()));
    jwksKeys = [rsaNext.publicJwk];
    const rotated = await verifier.verify(await sign(claims({ jti: 'new' }), rsaNext));
    expect(rotated.subject).toBe('admin/mcp-app');
    expect(serverRequests).toEqual([JWKS_PATH, JWKS_PATH]);
    // The retired key is gone from the refetched set.
    await expectTokenError(
      verifier.verify(await sign(claims({ jti: 'old' }))),
      'token_key_unknown',
    );
  });

  it('does not refetch for an unknown kid within the cooldown', async () => {
    const verifier = makeVerifier(); // default cooldown: 30 s
    await verifier.verify(await sign(claims()));
    jwksKeys = [rsaNext.publicJwk];
    await expectTokenError(verifier.verify(await sign(claims(), rsaNext)), 'token_key_unknown');
    expect(serverRequests).toEqual([JWKS_PATH]);
  });

  it('keeps verifying with cached keys while the endpoint is down; a new kid is then a token error (401), not an outage', async () => {
    const verifier = makeVerifier({
      jwksCooldownMs: 0,
      jwksCacheMaxAgeMs: 3_600_000,
      cache: { maxEntries: 0 },
    });
    await verifier.verify(await sign(claims()));
    jwksMode = 'down';
    await expect(verifier.verify(await sign(claims({ jti: 'second' })))).resolves.toBeDefined();
    const error = await expectTokenError(
      verifier.verify(await sign(claims(), rsaNext)),
      'token_key_unknown',
    );
    expect(error.message).toBe('token signing key not found');
    expect(serverRequests).toEqual([JWKS_PATH, JWKS_PATH]);
  });

  it('reports jwks_unavailable when the first fetch fails', async () => {
    jwksMode = 'down';
    await expectTokenError(makeVerifier().verify(await sign(claims())), 'jwks_unavailable');
  });

  it('reports jwks_unavailable on a network error', async () => {
    const failingFetch: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const verifier = makeVerifier({ fetchImpl: failingFetch });
    const error = await expectTokenError(verifier.verify(await sign(claims())), 'jwks_unavailable');
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('reports jwks_unavailable on a timeout', async () => {
    jwksMode = 'hang';
    const verifier = makeVerifier({ jwksTimeoutMs: 200 });
    await expectTokenError(verifier.verify(await sign(claims())), 'jwks_unavailable');
  });

  it('reports jwks_unavailable for a malformed JWKS document', async () => {
    jwksMode = 'garbage';
    await expectTokenError(makeVerifier().verify(await sign(claims())), 'jwks_unavailable');
  });

  it('does not follow redirects from the JWKS endpoint', async () => {
    jwksMode = 'redirect';
    await expectTokenError(makeVerifier().verify(await sign(claims())), 'jwks_unavailable');
    expect(serverRequests).toEqual([JWKS_PATH]);
    expect(fetched).toEqual([jwksUrl.href]);
  });
});

describe('verification cache', () => {
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

  it('verifies a repeated token once', async () => {
    const verifier = makeVerifier();
    const token = await sign(claims());
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toEqual(first);
    expect(verifier.stats).toEqual({ verifications: 1, cacheHits: 1 });
  });

  it('refuses a cached token once it expires', async () => {
    const verifier = makeVerifier({ clockToleranceSeconds: 30 });
    const exp = NOW_S + 60;
    const token = await sign(claims({ exp }));
    await verifier.verify(token);
    clockMs = (exp + 30) * 1000 - 1; // the last instant jose itself would still accept
    await verifier.verify(token);
    expect(verifier.stats).toEqual({ verifications: 1, cacheHits: 1 });
    clockMs = (exp + 30) * 1000;
    await expectTokenError(verifier.verify(token), 'token_expired');
    expect(verifier.stats).toEqual({ verifications: 2, cacheHits: 1 });
    expect(inspectTokenCache(verifier)?.size).toBe(0);
  });

  it('re-verifies a long-lived token after five minutes', async () => {
    const verifier = makeVerifier();
    const token = await sign(claims());
    await verifier.verify(token);
    clockMs = NOW + 5 * 60 * 1000 - 1;
    await verifier.verify(token);
    clockMs = NOW + 5 * 60 * 1000;
    await verifier.verify(token);
    expect(verifier.stats).toEqual({ verifications: 2, cacheHits: 1 });
  });

  it('never caches a failure', async () => {
    const verifier = makeVerifier();
    const token = await sign(claims({ aud: ['someone-else'] }));
    for (let i = 0; i < 3; i += 1) {
      await expectTokenError(verifier.verify(token), 'token_audience_invalid');
    }
    expect(verifier.stats).toEqual({ verifications: 3, cacheHits: 0 });
    expect(inspectTokenCache(verifier)?.size).toBe(0);
  });

  it('stays within maxEntries over 1,000 distinct tokens', async () => {
    const verifier = makeVerifier({ cache: { maxEntries: 10 } });
    const tokens = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => sign(claims({ jti: `admin/token-${i}` }), ec)),
    );
    for (const token of tokens) {
      await verifier.verify(token);
      expect(inspectTokenCache(verifier)?.size).toBeLessThanOrEqual(10);
    }
    expect(inspectTokenCache(verifier)?.size).toBe(10);
    // The most recent tokens are the ones kept.
    await verifier.verify(tokens[999]!);
    await verifier.verify(tokens[0]!);
    expect(verifier.stats).toEqual({ verifications: 1001, cacheHits: 1 });
  });

  it('keys the cache by SHA-256 digests, never by the token', async () => {
    const verifier = makeVerifier();
    const tokens = [await sign(claims()), await sign(claims({ jti: 'other' }), ec)];
    for (const token of tokens) {
      await verifier.verify(token);
    }
    const keys = inspectTokenCache(verifier)?.keys ?? [];
    expect(keys).toEqual(tokens.map(sha256));
    for (const key of keys) {
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      for (const token of tokens) {
        expect(key).not.toBe(token);
        for (const part of token.split('.')) {
          expect(key.includes(part)).toBe(false);
        }
      }
    }
  });

  it('can be disabled', async () => {
    const verifier = makeVerifier({ cache: { maxEntries: 0 } });
    const token = await sign(claims());
    await verifier.verify(token);
    await verifier.verify(token);
    expect(verifier.stats).toEqual({ verifications: 2, cacheHits: 0 });
  });

  it('hands out copies, so a caller cannot alter a cached result', async () => {
    const verifier = makeVerifier();
    const token = await sign(claims());
    const first = await verifier.verify(token);
    first.scopes.push('admin');
    first.audience.length = 0;
    expect(() => {
      (first.claims as Record<string, unknown>)['isAdmin'] = true;
    }).toThrow(TypeError);
    const second = await verifier.verify(token);
    expect(second.scopes).toEqual(['read:application', 'write:application']);
    expect(second.audience).toEqual([CLIENT_ID]);
    expect(second.claims).not.toHaveProperty('isAdmin');
  });

  it('returns undefined from inspectTokenCache for a foreign object', () => {
    const foreign: TokenVerifier = {
      verify: async () => {
        throw new Error('unused');
      },
      stats: { verifications: 0, cacheHits: 0 },
    };
    expect(inspectTokenCache(foreign)).toBeUndefined();
  });
});
