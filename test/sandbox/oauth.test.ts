import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { hashToken, startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { appCreds, call, demoBasic } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb.stop();
});

async function verify(token: string) {
  const jwks = createRemoteJWKSet(new URL(`${sb.url}/.well-known/jwks`));
  return (await jwtVerify(token, jwks, { issuer: sb.issuer })).payload;
}

async function clientCredentials(scope?: string, basic = demoBasic(sb)) {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (scope !== undefined) form.scope = scope;
  return call(sb, '/api/login/oauth/access_token', { form, basic });
}

describe('discovery and JWKS', () => {
  it('serves the same discovery document on both well-known paths', async () => {
    const oidc = await call(sb, '/.well-known/openid-configuration');
    const as = await call(sb, '/.well-known/oauth-authorization-server');
    expect(oidc.json).toEqual(as.json);
    expect(oidc.json.issuer).toBe(sb.url);
    expect(oidc.json.token_endpoint).toBe(sb.tokenEndpoint);
    expect(oidc.json.jwks_uri).toBe(`${sb.url}/.well-known/jwks`);
    expect(oidc.json.authorization_endpoint).toBe(`${sb.url}/login/oauth/authorize`);
    expect(oidc.json.introspection_endpoint).toBe(`${sb.url}/api/login/oauth/introspect`);
    expect(oidc.json.end_session_endpoint).toBe(`${sb.url}/api/logout`);
    expect(oidc.json.code_challenge_methods_supported).toEqual(['S256']);
    // The sandbox's keys are RSA: ES* would fail to sign.
    expect(oidc.json.id_token_signing_alg_values_supported).toEqual(['RS256', 'RS512']);
    expect(oidc.json.grant_types_supported).toEqual(['authorization_code', 'password', 'client_credentials', 'refresh_token']);
    expect(oidc.json.response_types_supported).toEqual(['code']);
    for (const absent of ['device_authorization_endpoint', 'userinfo_endpoint', 'request_parameter_supported', 'backchannel_logout_supported']) {
      expect(oidc.json).not.toHaveProperty(absent);
    }
    expect(oidc.json.scopes_supported).toEqual(['openid', 'email', 'profile', 'address', 'phone', 'offline_access']);
    expect(oidc.json).not.toHaveProperty('token_endpoint_auth_methods_supported');
    expect(oidc.json).not.toHaveProperty('revocation_endpoint');
  });

  it('serves every endpoint its discovery documents advertise', async () => {
    for (const doc of ['/.well-known/openid-configuration', '/.well-known/casdoor-mcp/openid-configuration']) {
      const advertised = Object.entries((await call(sb, doc)).json as Record<string, unknown>)
        .filter(([key, value]) => (key.endsWith('_endpoint') || key === 'jwks_uri') && typeof value === 'string');
      expect(advertised.length).toBeGreaterThanOrEqual(6);
      for (const [key, url] of advertised) {
        const path = new URL(String(url)).pathname;
        // GET for pages and documents; the OAuth endpoints take POST (an empty one is refused, but answered).
        const method = ['token_endpoint', 'introspection_endpoint', 'registration_endpoint', 'device_authorization_endpoint'].includes(key) ? 'POST' : 'GET';
        const res = await fetch(`${sb.url}${path}`, { method, redirect: 'manual', ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } : {}) });
        expect([404, 405], `${doc} ${key}: ${method} ${path} answered ${res.status}`).not.toContain(res.status);
      }
    }
  });

  it('publishes every certificate in the global JWKS, and only the application\'s own in its JWKS', async () => {
    const res = await call(sb, '/.well-known/jwks');
    expect(res.json.keys.map((k: { kid: string }) => k.kid)).toEqual(['cert-built-in', 'cert-acme']);
    expect(res.json.keys[0]).toMatchObject({ kid: 'cert-built-in', alg: 'RS256', use: 'sig', kty: 'RSA' });
    for (const key of res.json.keys) expect(key).not.toHaveProperty('d');
    const own = await call(sb, '/.well-known/casdoor-mcp/jwks');
    expect(own.json.keys.map((k: { kid: string }) => k.kid)).toEqual(['cert-built-in']);
    const unknown = await call(sb, '/.well-known/no-such-app/jwks');
    expect(unknown.json.keys.map((k: { kid: string }) => k.kid)).toEqual(['cert-built-in']);
  });

  it('adds app scopes to the per-application discovery document', async () => {
    const res = await call(sb, '/.well-known/casdoor-mcp/openid-configuration');
    expect(res.json.scopes_supported).toContain('application:read');
    expect(res.json.jwks_uri).toBe(`${sb.url}/.well-known/casdoor-mcp/jwks`);
  });
});

describe('client_credentials', () => {
  it('issues a Casdoor-shaped JWT that verifies against the JWKS', async () => {
    const res = await clientCredentials('application:read read:user');
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 168 * 3600, scope: 'application:read read:user', refresh_token: '' });
    expect(res.json.id_token).toBe(res.json.access_token);
    const header = decodeProtectedHeader(res.json.access_token);
    expect(header).toEqual({ alg: 'RS256', kid: 'cert-built-in', typ: 'JWT' });
    const claims = await verify(res.json.access_token);
    expect(claims).toMatchObject({
      iss: sb.url, sub: 'admin/casdoor-mcp', aud: [sb.demo.clientId], tokenType: 'access-token',
      scope: 'application:read read:user', azp: sb.demo.clientId, owner: 'admin', name: 'casdoor-mcp',
      id: 'admin/casdoor-mcp', type: 'application', password: '',
    });
    expect(claims.exp! - claims.iat!).toBe(168 * 3600);
    expect(claims.nbf).toBe(claims.iat);
    expect(String(claims.jti)).toMatch(/^admin\/[0-9a-f-]{36}$/);
  });

  it('records the token row under its sha256 hash', async () => {
    const res = await clientCredentials('read');
    const row = sb.store.tokens.get(hashToken(res.json.access_token));
    expect(row).toMatchObject({ application: 'casdoor-mcp', organization: 'built-in', user: 'casdoor-mcp', grantType: 'client_credentials', scope: 'read', tokenType: 'Bearer', expiresIn: 604800 });
  });

  it('rejects scopes the app does not define with invalid_scope', async () => {
    const res = await clientCredentials('read:application delete:everything');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: 'invalid_scope', error_description: 'the requested scope is invalid or not defined in the application' });
  });

  it('expands regex scopes against the app scopes', async () => {
    const res = await clientCredentials('user:.*');
    expect(res.json.scope).toBe('user:read user:write');
  });

  it('accepts any scope for apps without scopes', async () => {
    const creds = appCreds(sb, 'acme-api');
    const res = await call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'client_credentials', scope: 'anything goes', client_id: creds.id, client_secret: creds.secret } });
    expect(res.json.scope).toBe('anything goes');
    const claims = await verify(res.json.access_token);
    expect(claims.sub).toBe('admin/acme-api');
  });

  it('answers a wrong secret with invalid_client and HTTP 401', async () => {
    const res = await clientCredentials('read', { id: sb.demo.clientId, secret: 'nope' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="OAuth2"');
    expect(res.json).toEqual({ error: 'invalid_client', error_description: 'client_secret is invalid' });
    const unknown = await clientCredentials('read', { id: 'nope', secret: 'nope' });
    expect(unknown.json).toEqual({ error: 'invalid_client', error_description: 'client_id is invalid' });
  });

  it('refuses grant types the app does not list', async () => {
    const creds = appCreds(sb, 'acme-portal');
    const res = await call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'client_credentials' }, basic: creds });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('unsupported_grant_type');
  });

  it('accepts a JSON body too', async () => {
    const res = await call(sb, '/api/login/oauth/access_token', { body: { grant_type: 'client_credentials', client_id: sb.demo.clientId, client_secret: sb.demo.clientSecret, scope: 'admin' } });
    expect(res.json.scope).toBe('admin');
  });
});

describe('password and refresh grants', () => {
  it('issues a full-user JWT with refresh token', async () => {
    const creds = appCreds(sb, 'acme-portal');
    const res = await call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'password', username: 'alice', password: 'alice-pass', scope: 'openid profile', client_id: creds.id } });
    expect(res.status).toBe(200);
    const claims = await verify(res.json.access_token);
    const alice = sb.data.users.get('acme/alice')!;
    expect(claims).toMatchObject({ sub: alice.id, owner: 'acme', name: 'alice', isAdmin: true, password: '', email: 'alice@acme.example.com', tokenType: 'access-token', scope: 'openid profile', aud: [creds.id] });
    expect(claims).toHaveProperty('passwordSalt');
    expect(claims).toHaveProperty('groups');
    const refresh = await verify(res.json.refresh_token);
    expect(refresh.tokenType).toBe('refresh-token');
    expect(sb.store.tokens.get(hashToken(res.json.access_token))?.grantType).toBe('');

    const refreshed = await call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'refresh_token', refresh_token: res.json.refresh_token, client_id: creds.id, client_secret: creds.secret } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.scope).toBe('openid profile');
    expect(refreshed.json.access_token).not.toBe(res.json.access_token);
    // the old row is deleted, so the old access token no longer authenticates
    expect(sb.store.tokens.has(hashToken(res.json.access_token))).toBe(false);
    const again = await call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'refresh_token', refresh_token: res.json.refresh_token, client_id: creds.id } });
    expect(again.json).toEqual({ error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' });
  });

  it('reports a wrong password as invalid_grant', async () => {
    const creds = appCreds(sb, 'globex-web');
    const res = await call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'password', username: 'carol', password: 'x', client_id: creds.id } });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_grant');
    expect(res.json.error_description).toMatch(/^invalid username or password: password or code is incorrect/);
    const stranger = await call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'password', username: 'alice', password: 'alice-pass', client_id: creds.id } });
    expect(stranger.json).toEqual({ error: 'invalid_grant', error_description: 'the user does not exist' });
  });

  it('shapes claims by tokenFormat', async () => {
    const app = sb.data.applications.get('admin/globex-web')!;
    const creds = appCreds(sb, 'globex-web');
    const grant = () => call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'password', username: 'carol', password: 'carol-pass', scope: 'profile phone', client_id: creds.id } });
    app.tokenFormat = 'JWT-Empty';
    const empty = await verify((await grant()).json.access_token);
    expect(Object.keys(empty).sort()).toEqual(['aud', 'avatar', 'azp', 'displayName', 'email', 'exp', 'iat', 'id', 'iss', 'jti', 'name', 'nbf', 'owner', 'phone', 'scope', 'sub', 'tokenType']);
    app.tokenFormat = 'JWT-Standard';
    const standard = await verify((await grant()).json.access_token);
    expect(standard).toMatchObject({ preferred_username: 'carol', name: 'Carol Clark', phone_number: '+15550200001', phone_number_verified: true });
    expect(standard).not.toHaveProperty('phone');
    expect(standard.address).toEqual({ formatted: '', street_address: '', locality: '', region: '', postal_code: '', country: '' });
    app.tokenFormat = 'JWT';
  });
});

describe('introspection', () => {
  it('reports active tokens and goes inactive when the row is deleted', async () => {
    const token = (await clientCredentials('application:read')).json.access_token;
    const res = await call(sb, '/api/login/oauth/introspect', { form: { token }, basic: demoBasic(sb) });
    expect(res.json).toMatchObject({ active: true, scope: 'application:read', client_id: sb.demo.clientId, username: 'casdoor-mcp', token_type: 'Bearer', sub: 'admin/casdoor-mcp', aud: [sb.demo.clientId], iss: sb.url });
    expect(typeof res.json.exp).toBe('number');
    sb.store.tokens.delete(hashToken(token));
    const gone = await call(sb, '/api/login/oauth/introspect', { form: { token }, basic: demoBasic(sb) });
    expect(gone.json).toEqual({ active: false });
    const junk = await call(sb, '/api/login/oauth/introspect', { form: { token: 'junk' }, basic: demoBasic(sb) });
    expect(junk.json).toEqual({ active: false });
  });

  it('requires client authentication', async () => {
    const res = await call(sb, '/api/login/oauth/introspect', { form: { token: 'x' }, basic: { id: sb.demo.clientId, secret: 'bad' } });
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('invalid_client');
    const none = await call(sb, '/api/login/oauth/introspect', { form: { token: 'x' } });
    expect(none.status).toBe(400);
    expect(none.json).toEqual({ error: 'invalid_request' });
  });
});

describe('issueToken and key rotation', () => {
  it('signs tokens with the requested claims and records them', async () => {
    const token = await sb.issueToken({ kind: 'user', user: 'acme/bob', scope: 'read:user', audience: 'custom-aud', extraClaims: { foo: 'bar' } });
    const claims = await verify(token);
    expect(claims).toMatchObject({ owner: 'acme', name: 'bob', aud: 'custom-aud', scope: 'read:user', foo: 'bar' });
    expect(sb.store.tokens.get(hashToken(token))).toMatchObject({ organization: 'acme', user: 'bob' });
    const loose = await sb.issueToken({ store: false, expiresInSeconds: 60, notBeforeOffsetSeconds: -5, tokenType: 'weird' });
    const c2 = await verify(loose);
    expect(c2.exp! - c2.iat!).toBe(60);
    expect(c2.nbf).toBe(c2.iat! - 5);
    expect(c2.tokenType).toBe('weird');
    expect(sb.store.tokens.has(hashToken(loose))).toBe(false);
  });

  it('rotates to a new kid and drops the old key from the JWKS', async () => {
    const before = await sb.issueToken({});
    const oldJwks = (await call(sb, '/.well-known/jwks')).json;
    await sb.rotateKey();
    const jwks = (await call(sb, '/.well-known/casdoor-mcp/jwks')).json;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0].kid).toBe('cert-built-in-2');
    expect((await call(sb, '/.well-known/jwks')).json.keys.map((k: { kid: string }) => k.kid)).toEqual(['cert-built-in-2', 'cert-acme']);
    const after = await sb.issueToken({});
    expect(decodeProtectedHeader(after).kid).toBe('cert-built-in-2');
    await expect(jwtVerify(before, createLocalJWKSet(jwks))).rejects.toThrow();
    await expect(jwtVerify(before, createLocalJWKSet(oldJwks))).resolves.toBeTruthy();
    const res = await call(sb, '/api/login/oauth/introspect', { form: { token: before }, basic: demoBasic(sb) });
    expect(res.json).toEqual({ active: false });
  });
});

describe('options', () => {
  it('uses the configured origin as issuer everywhere', async () => {
    const other = await startSandbox({ origin: 'https://door.example.com', clock: () => 1_700_000_000_000 });
    try {
      const doc = await call(other, '/.well-known/openid-configuration');
      expect(doc.json.issuer).toBe('https://door.example.com');
      expect(doc.json.jwks_uri).toBe('https://door.example.com/.well-known/jwks');
      expect(other.issuer).toBe('https://door.example.com');
      expect(other.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const token = await other.issueToken({});
      const jwks = createRemoteJWKSet(new URL(`${other.url}/.well-known/jwks`));
      const { payload } = await jwtVerify(token, jwks, { issuer: 'https://door.example.com', currentDate: new Date(1_700_000_000_000) });
      expect(payload.iat).toBe(1_700_000_000);
    } finally {
      await other.stop();
    }
  });

  it('JWT-Custom carries only the selected fields (and the refresh "TokenType" quirk)', async () => {
    const app = sb.data.applications.get('admin/globex-web')!;
    app.tokenFormat = 'JWT-Custom';
    app.tokenFields = ['Owner', 'Name', 'Email', 'Properties.team'];
    sb.data.users.get('globex/carol')!.properties = { team: 'blue' };
    const creds = appCreds(sb, 'globex-web');
    const res = await call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'password', username: 'carol', password: 'carol-pass', client_id: creds.id } });
    const claims = await verify(res.json.access_token);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'azp', 'email', 'exp', 'iat', 'iss', 'jti', 'name', 'nbf', 'nonce', 'owner', 'scope', 'sub', 'team', 'tokenType']);
    const refresh = await verify(res.json.refresh_token);
    expect(refresh).toMatchObject({ tokenType: 'access-token', TokenType: 'refresh-token' });
    app.tokenFormat = 'JWT';
  });
});

describe('signing keys and algorithms per certificate', () => {
  let ec: Sandbox;
  beforeAll(async () => {
    ec = await startSandbox();
    await ec.addCert('acme', 'cert-acme-ec', 'ES256');
    ec.data.applications.patch('admin/acme-api', { cert: 'cert-acme-ec', tokenSigningMethod: '' });
  });
  afterAll(() => ec?.stop());

  const clientCredentials = () => {
    const app = ec.data.applications.get('admin/acme-api')!;
    return call(ec, '/api/login/oauth/access_token', { form: { grant_type: 'client_credentials' }, basic: { id: app.clientId, secret: app.clientSecret } });
  };

  it('an EC certificate signs with its own algorithm, published in the application\'s JWKS and in discovery', async () => {
    const res = await clientCredentials();
    expect(res.status, res.text).toBe(200);
    expect(decodeProtectedHeader(res.json.access_token)).toMatchObject({ alg: 'ES256', kid: 'cert-acme-ec' });
    const jwks = (await call(ec, '/.well-known/acme-api/jwks')).json;
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: 'cert-acme-ec', alg: 'ES256', kty: 'EC', crv: 'P-256' })]);
    await expect(jwtVerify(res.json.access_token, createLocalJWKSet(jwks), { issuer: ec.issuer })).resolves.toBeTruthy();
    const introspected = await call(ec, '/api/login/oauth/introspect', { form: { token: res.json.access_token }, basic: demoBasic(ec) });
    expect(introspected.json.active).toBe(true);
    expect((await call(ec, '/.well-known/openid-configuration')).json.id_token_signing_alg_values_supported).toEqual(['RS256', 'RS512', 'ES256']);
    expect(ec.store.certs.get('acme/cert-acme-ec')).toMatchObject({ cryptoAlgorithm: 'ES256', bitSize: 256 });
  });

  it('an RSA signing method on an EC certificate fails as jwt-go does', async () => {
    ec.data.applications.patch('admin/acme-api', { tokenSigningMethod: 'RS256' });
    const res = await clientCredentials();
    expect(res.json).toMatchObject({ error: 'endpoint_error', error_description: 'generate jwt token error: key is not a valid RSA private key' });
    ec.data.applications.patch('admin/acme-api', { tokenSigningMethod: '' });
  });
});
