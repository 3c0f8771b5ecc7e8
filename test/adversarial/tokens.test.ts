// Adversarial bearer tokens. Each case is a token a real attacker could send; each must get HTTP 401
// invalid_token with the exact challenge and body, on tools/call and on tools/list, while nothing
// reaches Casdoor (no /api call at all) and the token never appears in the logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';
import {
  attackerHost, b64u, claimsOf, headerOf, parts, rawPost, sandboxKey, sandboxPublicPem, sign, strangerKey, unsigned,
  type Claims,
} from './forge.js';

type Json = Record<string, any>;
const HINT = 'Get a new access token from Casdoor for this server and retry.';

let h: Harness;
let other: Sandbox; // a second, independent issuer
let attacker: Awaited<ReturnType<typeof attackerHost>>;
let valid: string; // a real admin-scoped client_credentials token
let claims: Claims;
let kid: string;
let prm: string;

beforeAll(async () => {
  h = await startHarness();
  other = await startSandbox();
  valid = await h.token('admin');
  claims = claimsOf(valid);
  kid = String(headerOf(valid).kid);
  prm = `${new URL(h.url).origin}/.well-known/oauth-protected-resource/mcp`;
  const stranger = await strangerKey();
  attacker = await attackerHost({ keys: [{ ...stranger.jwk, kid: 'attacker' }] });
  attackerKey = stranger.privateKey;
  // Warm-up: the JWKS is fetched once here, so the cases below are measured with the keys cached.
  const res = await h.post(call('get_applications', { pageSize: 1 }), { Authorization: `Bearer ${valid}` });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await attacker?.close();
  await other?.stop();
  await h?.close();
});
let attackerKey: Awaited<ReturnType<typeof strangerKey>>['privateKey'];

/** Sends `token` on tools/call and tools/list and checks the exact 401 each time. */
async function expectRejected(token: string, description: string, { allowJwksFetch = false } = {}): Promise<void> {
  const before = h.sandbox.requests.length;
  for (const body of [call('get_applications', {}, 7), rpc('tools/list', undefined, 7)]) {
    const res = await h.post(body, { Authorization: `Bearer ${token}` });
    expect(res.status, description).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="casdoor-mcp", resource_metadata="${prm}", error="invalid_token", error_description="${description}"`,
    );
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32011, message: 'invalid_token', data: { reason: description, hint: HINT } } });
  }
  const sent = h.sandbox.requests.slice(before);
  // An unknown kid may make the verifier refetch the JWKS (at most once per cooldown); nothing else.
  expect(sent.filter((r) => !(allowJwksFetch && /^\/\.well-known\/(.+\/)?jwks$/.test(r.path)))).toEqual([]);
  if (token.length > 40) expect(h.rawLogs()).not.toContain(token.slice(-40));
}

const reSigned = async (header: Json, body: Claims = claims) => sign(await sandboxKey(h.sandbox), header, body);

describe('adversarial tokens: signature and key selection', () => {
  it('alg none with an empty signature', async () => {
    await expectRejected(unsigned({ alg: 'none', typ: 'JWT' }, claims), 'token signing algorithm not allowed');
  });

  it('alg none keeping the original signature', async () => {
    await expectRejected(unsigned({ alg: 'none', kid }, claims, parts(valid)[2]), 'token signing algorithm not allowed');
  });

  it('HS256 signed with the JWKS public key (PEM) as the HMAC secret', async () => {
    const secret = new TextEncoder().encode(sandboxPublicPem(h.sandbox));
    await expectRejected(await sign(secret, { alg: 'HS256', kid, typ: 'JWT' }, claims), 'token signing algorithm not allowed');
  });

  it('HS256 signed with the published JWKS document as the HMAC secret', async () => {
    const jwks = await (await fetch(`${h.sandbox.url}/.well-known/jwks`)).text();
    const before = h.sandbox.requests.length;
    const token = await sign(new TextEncoder().encode(jwks), { alg: 'HS256', kid, typ: 'JWT' }, claims);
    h.sandbox.requests.length = before; // the attacker's own fetch above is not the server's doing
    await expectRejected(token, 'token signing algorithm not allowed');
  });

  it('an unknown kid, signed with the real key', async () => {
    await expectRejected(await reSigned({ alg: 'RS256', kid: 'no-such-key', typ: 'JWT' }), 'token signing key not found', { allowJwksFetch: true });
  });

  for (const [what, badKid] of [
    ['a path traversal', '../../../../etc/passwd'],
    ['a URL', 'http://127.0.0.1:1/jwks.json'],
    ['a file URL', 'file:///etc/passwd'],
    ['a SQL-ish string', "cert-built-in' OR '1'='1"],
  ] as const) {
    it(`a kid that is ${what}`, async () => {
      await expectRejected(await reSigned({ alg: 'RS256', kid: badKid, typ: 'JWT' }), 'token signing key not found', { allowJwksFetch: true });
    });
  }

  it('jku and x5u pointing at an attacker JWKS: never dereferenced', async () => {
    const token = await sign(attackerKey, { alg: 'RS256', kid: 'attacker', jku: `${attacker.url}/jwks`, x5u: `${attacker.url}/cert.pem` }, claims);
    await expectRejected(token, 'token signing key not found', { allowJwksFetch: true });
    expect(attacker.hits).toEqual([]);
  });

  it('an embedded jwk header carrying the attacker key, with the real kid', async () => {
    const { jwk } = await strangerKey();
    await expectRejected(await sign(attackerKey, { alg: 'RS256', kid, jwk: { ...jwk, kid } }, claims), 'token signature invalid');
  });

  it('a key not in the JWKS, claiming the real kid', async () => {
    await expectRejected(await sign(attackerKey, { alg: 'RS256', kid, typ: 'JWT' }, claims), 'token signature invalid');
  });

  it('a key not in the JWKS, with no kid at all', async () => {
    await expectRejected(await sign(attackerKey, { alg: 'RS256', typ: 'JWT' }, claims), 'token signature invalid');
  });

  it('a token signed by a second issuer\'s key, claiming our issuer, audience and kid', async () => {
    const forged = await other.issueToken({ scope: 'admin', issuer: h.sandbox.issuer, audience: [h.sandbox.demo.clientId] });
    expect(headerOf(forged).kid).toBe(kid);
    await expectRejected(forged, 'token signature invalid');
  });

  it('a second issuer\'s own token (same kid name, its own key and iss): the signature fails first', async () => {
    await expectRejected(await other.issueToken({ scope: 'admin', audience: [h.sandbox.demo.clientId] }), 'token signature invalid');
  });

  it('control: the same forging path with the real key and header yields a token that is accepted', async () => {
    const res = await h.post(call('get_applications', { pageSize: 1 }, 8), { Authorization: `Bearer ${await reSigned({ alg: 'RS256', kid, typ: 'JWT' })}` });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).result.isError).toBeFalsy();
  });
});

describe('adversarial tokens: claims', () => {
  const withClaims = (changes: Claims) => reSigned({ alg: 'RS256', kid, typ: 'JWT' }, { ...claims, ...changes });
  const now = () => Math.floor(Date.now() / 1000);

  it('expired (an hour ago, far past the 30 s tolerance)', async () => {
    await expectRejected(await h.sandbox.issueToken({ scope: 'admin', expiresInSeconds: -3600 }), 'token expired');
  });

  it('nbf an hour in the future', async () => {
    await expectRejected(await h.sandbox.issueToken({ scope: 'admin', notBeforeOffsetSeconds: 3600 }), 'token not yet valid');
  });

  it('no exp at all', async () => {
    const { exp: _exp, ...rest } = claims;
    await expectRejected(await reSigned({ alg: 'RS256', kid }, rest), 'invalid exp claim');
  });

  it('exp as a string', async () => {
    await expectRejected(await withClaims({ exp: String(now() + 3600) }), 'invalid exp claim');
  });

  it('wrong iss', async () => {
    await expectRejected(await h.sandbox.issueToken({ scope: 'admin', issuer: 'https://evil.example' }), 'issuer not accepted');
  });

  it('iss with a trailing slash (exact match only)', async () => {
    await expectRejected(await withClaims({ iss: `${h.sandbox.issuer}/` }), 'issuer not accepted');
  });

  it('wrong aud', async () => {
    await expectRejected(await h.sandbox.issueToken({ scope: 'admin', audience: ['https://other.example/api'] }), 'audience not accepted');
  });

  it('aud as a string that only contains an accepted audience', async () => {
    await expectRejected(await withClaims({ aud: `${h.sandbox.demo.clientId} https://other.example` }), 'audience not accepted');
  });

  it('aud as a nested array around an accepted audience', async () => {
    await expectRejected(await withClaims({ aud: [[h.sandbox.demo.clientId]] }), 'audience not accepted');
  });

  it('aud as an object', async () => {
    await expectRejected(await withClaims({ aud: { 0: h.sandbox.demo.clientId } }), 'audience not accepted');
  });

  it('a refresh token from the real password grant (tokenType refresh-token)', async () => {
    const res = await fetch(h.sandbox.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: h.sandbox.demo.clientId, client_secret: h.sandbox.demo.clientSecret, username: 'admin', password: '123', scope: 'admin' }),
    });
    const refresh = ((await res.json()) as Json).refresh_token as string;
    expect(claimsOf(refresh).tokenType).toBe('refresh-token');
    const before = h.sandbox.requests.length;
    await expectRejected(refresh, 'token is not an access token');
    expect(h.sandbox.requests.length).toBe(before);
  });

  it('a JWT-Custom refresh token from the real password grant (tokenType access-token, TokenType refresh-token)', async () => {
    // Casdoor's JWT-Custom refresh token copies the access claims, tokenType included, and adds TokenType.
    const app = h.sandbox.data.applications.get(`admin/${h.sandbox.demo.application}`)!;
    const format = app.tokenFormat;
    app.tokenFormat = 'JWT-Custom';
    try {
      const res = await fetch(h.sandbox.tokenEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', client_id: h.sandbox.demo.clientId, client_secret: h.sandbox.demo.clientSecret, username: 'admin', password: '123', scope: 'admin' }),
      });
      const refresh = ((await res.json()) as Json).refresh_token as string;
      expect(claimsOf(refresh)).toMatchObject({ tokenType: 'access-token', TokenType: 'refresh-token' });
      await expectRejected(refresh, 'token is not an access token');
    } finally {
      app.tokenFormat = format;
    }
  });

  it('an id token (tokenType id-token)', async () => {
    await expectRejected(await h.sandbox.issueToken({ scope: 'admin', tokenType: 'id-token' }), 'token is not an access token');
  });

  it('aud as a plain string equal to an accepted audience is accepted (RFC 7519 allows a string)', async () => {
    for (const aud of [h.sandbox.demo.clientId, [h.sandbox.demo.clientId], ['https://other.example', h.url]]) {
      // Issued (stored) by Casdoor with that aud: a re-signed token would be unknown to Casdoor.
      const token = await h.sandbox.issueToken({ scope: 'admin', audience: aud });
      const res = await h.post(call('get_applications', { pageSize: 1 }, 8), { Authorization: `Bearer ${token}` });
      expect(res.status, JSON.stringify(aud)).toBe(200);
    }
  });

  it('sub missing', async () => {
    const { sub: _sub, ...rest } = claims;
    await expectRejected(await reSigned({ alg: 'RS256', kid }, rest), 'invalid sub claim');
  });
});

describe('adversarial tokens: encoding and size', () => {
  it('the signature truncated by ten characters', async () => {
    await expectRejected(valid.slice(0, -10), 'token signature invalid');
  });

  it('the signature segment dropped (two segments)', async () => {
    await expectRejected(parts(valid).slice(0, 2).join('.'), 'token is malformed');
  });

  it('the signature segment empty', async () => {
    await expectRejected(`${parts(valid).slice(0, 2).join('.')}.`, 'token signature invalid');
  });

  it('the payload re-encoded with different JSON spacing (same claims)', async () => {
    const [header, , signature] = parts(valid);
    await expectRejected(`${header}.${b64u(JSON.stringify(claims, null, 1))}.${signature}`, 'token signature invalid');
  });

  it('the signature re-encoded as standard base64 with padding', async () => {
    const [header, payload, signature] = parts(valid);
    const std = Buffer.from(signature, 'base64url').toString('base64');
    await expectRejected(`${header}.${payload}.${std}`, 'token is malformed');
  });

  it('four segments', async () => {
    await expectRejected(`${valid}.${parts(valid)[2]}`, 'token is malformed');
  });

  it('an oversized token (claims padded past 64 KiB, within the HTTP header limit)', async () => {
    const big = await h.sandbox.issueToken({ scope: 'admin', extraClaims: { pad: 'x'.repeat(49_500) } });
    expect(big.length).toBeGreaterThan(64 * 1024);
    expect(big.length).toBeLessThan(78 * 1024);
    await expectRejected(big, 'token too large');
  });

  it('a token past the HTTP header limit (over 80 KiB): 431 with a JSON-RPC body, nothing to Casdoor, next request served', async () => {
    const before = h.sandbox.requests.length;
    const res = await h.post(call('get_applications', {}, 6), { Authorization: `Bearer ${'a'.repeat(100 * 1024)}` });
    expect(res.status).toBe(431);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining('MCP_MAX_TOKEN_BYTES') } });
    expect(h.sandbox.requests.length).toBe(before);
    const next = await h.post(rpc('ping', undefined, 6));
    expect(await next.json()).toEqual({ jsonrpc: '2.0', id: 6, result: {} });
  });
});

describe('adversarial requests: where the token is put', () => {
  it('two Authorization headers (both the same valid token): 401, not the first one wins', async () => {
    const before = h.sandbox.requests.length;
    const res = await rawPost(h.url, [['Authorization', `Bearer ${valid}`], ['Authorization', `Bearer ${valid}`]], call('get_applications', {}, 3));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="casdoor-mcp", resource_metadata="${prm}", error="invalid_token", error_description="send exactly one Authorization header"`,
    );
    expect(res.json).toEqual({ jsonrpc: '2.0', id: 3, error: { code: -32011, message: 'invalid_token', data: { reason: 'send exactly one Authorization header', hint: HINT } } });
    expect(h.sandbox.requests.length).toBe(before);
  });

  it('two Authorization headers (a garbage one, then a valid one)', async () => {
    const res = await rawPost(h.url, [['Authorization', 'Bearer x'], ['authorization', `Bearer ${valid}`]], call('get_applications', {}, 3));
    expect(res.status).toBe(401);
    expect(res.json.error.data.reason).toBe('send exactly one Authorization header');
  });

  it('a valid token in the query string (?access_token=) is ignored: the call is anonymous, 401 without error=', async () => {
    const before = h.sandbox.requests.length;
    const res = await h.post(call('get_applications', {}, 4), {}, `/mcp?access_token=${encodeURIComponent(valid)}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="casdoor-mcp", resource_metadata="${prm}", scope="read:application"`);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 4, error: { code: -32010, message: 'unauthorized', data: { tool: 'get_applications', required_scope: 'read:application' } } });
    expect(h.sandbox.requests.length).toBe(before);
    expect(h.rawLogs()).not.toContain(valid.slice(-40));
  });

  for (const header of ['Basic YWRtaW46MTIz', `Token ${'a'.repeat(20)}`, 'Bearer', 'Bearer a b', `Bearer ${'é'}`]) {
    it(`Authorization: ${JSON.stringify(header.slice(0, 24))} is refused as malformed`, async () => {
      const res = await h.post(call('get_applications', {}, 5), { Authorization: header });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer realm="casdoor-mcp", resource_metadata="${prm}", error="invalid_token", error_description="the Authorization header must be \\"Bearer <access token>\\""`,
      );
      expect(((await res.json()) as Json).error).toMatchObject({ code: -32011, message: 'invalid_token' });
    });
  }
});
