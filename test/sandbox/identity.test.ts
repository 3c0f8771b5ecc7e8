// The sandbox resolves bearer tokens from its token table, as Casdoor does from its database, and
// lets an organization admin do what she can in a real Casdoor (measured in casdoor-real.md).
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { call, demoBasic } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb.stop();
});

const account = (bearer: string) => call(sb, '/api/get-account', { bearer });
const adminBody = (user: Record<string, unknown>) => ({ ...user });

describe('token store', () => {
  it('issues a row per token, looks it up by the token, revokes and expires by user', async () => {
    const token = await sb.issueToken({ kind: 'user', user: 'acme/bob', scope: 'read:user' });
    const row = sb.store.tokens.byAccessToken(token)!;
    expect(row).toMatchObject({ organization: 'acme', user: 'bob', scope: 'read:user', tokenType: 'Bearer', dPoPJkt: '' });
    expect(sb.store.tokens.byRefreshToken(row.refreshToken)).toBe(row);
    expect(sb.store.tokens.state(row)).toBeUndefined();
    expect(sb.store.tokens.userIdOf(row)).toBe('acme/bob');

    const other = await sb.issueToken({ kind: 'user', user: 'acme/bob' });
    expect(sb.store.tokens.expireForUser('acme', 'bob')).toBeGreaterThanOrEqual(2);
    expect(sb.store.tokens.state(sb.store.tokens.byAccessToken(other)!)).toMatch(/^Access token has expired, expireTime = /);

    const cc = await sb.issueToken({});
    expect(sb.store.tokens.userIdOf(sb.store.tokens.byAccessToken(cc)!)).toBeUndefined();
    expect(sb.store.tokens.revoke(cc)).toBe(true);
    expect(sb.store.tokens.byAccessToken(cc)).toBeUndefined();
    expect((await account(cc)).json.msg).toBe("Access token doesn't exist in database");
  });

  it('get-account with a bearer token answers the user of the token row, whatever the token claims', async () => {
    const token = await sb.issueToken({ kind: 'user', user: 'acme/alice', extraClaims: { owner: 'built-in', name: 'admin', isAdmin: true } });
    const res = await account(token);
    expect(res.json).toMatchObject({ status: 'ok', name: 'alice', data: { owner: 'acme', name: 'alice', isAdmin: true } });
    const before = sb.requests.length;
    await account(token);
    expect(sb.store.tokens.size).toBeGreaterThan(0);
    expect(sb.requests.length).toBe(before + 1);
    // A client_credentials token names the application, which is no user.
    const cc = await account(await sb.issueToken({}));
    expect(cc.json.msg).toBe("The user: app/casdoor-mcp doesn't exist");
    // Signed with the real key but never issued: not in the table.
    const forged = await sb.issueToken({ kind: 'user', user: 'built-in/admin', store: false });
    expect((await account(forged)).json.msg).toBe("Access token doesn't exist in database");
  });

  it('forbidding a user expires their tokens for good; demoting takes effect at once', async () => {
    const add = await call(sb, '/api/add-user', { basic: demoBasic(sb), body: adminBody({ owner: 'acme', name: 'dora', password: 'x', isAdmin: true }) });
    expect(add.json.data).toBe('Affected');
    const token = await sb.issueToken({ kind: 'user', user: 'acme/dora' });
    expect((await account(token)).json.data.isAdmin).toBe(true);
    const update = (fields: Record<string, unknown>, columns: string) =>
      call(sb, `/api/update-user?id=acme/dora&columns=${columns}`, { basic: demoBasic(sb), body: { ...sb.data.users.get('acme/dora'), ...fields } });
    expect((await update({ isAdmin: false }, 'is_admin')).json.data).toBe('Affected');
    expect((await account(token)).json.data.isAdmin).toBe(false);
    expect((await update({ isForbidden: true }, 'is_forbidden')).json.data).toBe('Affected');
    expect((await account(token)).json.msg).toMatch(/^Access token has expired/);
    expect((await update({ isForbidden: false }, 'is_forbidden')).json.data).toBe('Affected');
    expect((await account(token)).json.msg).toMatch(/^Access token has expired/);
    const introspect = await call(sb, '/api/login/oauth/introspect', { basic: demoBasic(sb), form: { token, token_type_hint: 'access_token' } });
    expect(introspect.json).toEqual({ active: false });
  });
});

describe('what an organization admin can do', () => {
  it('reads the private key of cert-built-in through get-certs?owner=<her organization>', async () => {
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice' });
    const mine = await call(sb, '/api/get-certs?owner=acme', { bearer: alice });
    const names = mine.json.data.map((c: { owner: string; name: string }) => `${c.owner}/${c.name}`);
    expect(names).toEqual(['admin/cert-built-in', 'acme/cert-acme']);
    expect(mine.json.data[0].privateKey).toMatch(/BEGIN PRIVATE KEY/);
    expect((await call(sb, '/api/get-cert?id=admin/cert-built-in', { bearer: alice })).json.msg).toBe('Unauthorized operation');
    expect((await call(sb, '/api/get-certs?owner=admin', { bearer: alice })).json.msg).toBe('Unauthorized operation');
    const bob = await sb.issueToken({ kind: 'user', user: 'acme/bob' });
    expect((await call(sb, '/api/get-certs?owner=acme', { bearer: bob })).json.msg).toBe('Unauthorized operation');
  });

  it('adds a user with a chosen id and type; that user\'s tokens carry sub = that id', async () => {
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice' });
    const res = await call(sb, '/api/add-user', { bearer: alice, body: { owner: 'acme', name: 'mallory', id: 'admin/casdoor-mcp', type: 'application', password: 'm' } });
    expect(res.json.data).toBe('Affected');
    const token = await sb.issueToken({ kind: 'user', user: 'acme/mallory', application: 'acme-portal' });
    expect(decodeJwt(token)).toMatchObject({ sub: 'admin/casdoor-mcp', type: 'application', owner: 'acme' });
    expect((await account(token)).json.data).toMatchObject({ owner: 'acme', name: 'mallory' });
  });

  it('JWT-Custom token attributes set any claim; without token fields the token names nobody', async () => {
    const app = sb.data.applications.get('admin/acme-portal')!;
    const saved = { tokenFormat: app.tokenFormat, tokenAttributes: app.tokenAttributes, tokenFields: app.tokenFields };
    try {
      Object.assign(app, { tokenFormat: 'JWT-Custom', tokenFields: [], tokenAttributes: [{ name: 'owner', value: 'built-in', type: 'String' }, { name: 'name', value: 'admin', type: 'String' }] });
      const token = await sb.issueToken({ kind: 'user', user: 'acme/bob', application: 'acme-portal' });
      expect(decodeJwt(token)).toMatchObject({ owner: 'built-in', name: 'admin', sub: '5a4e0c1b-9f3d-4c2a-8b7e-000000000003' });
      Object.assign(app, { tokenAttributes: [], tokenFields: ['owner', 'name', 'isAdmin'] });
      const bare = decodeJwt(await sb.issueToken({ kind: 'user', user: 'acme/alice', application: 'acme-portal' }));
      expect(bare).not.toHaveProperty('owner');
      expect(bare).not.toHaveProperty('name');
    } finally {
      Object.assign(app, saved);
    }
  });

  it('an application signs with its own certificate, which its JWKS publishes', async () => {
    const app = sb.data.applications.get('admin/acme-api')!;
    app.cert = 'cert-acme';
    try {
      const token = await sb.issueToken({ application: 'acme-api' });
      expect(decodeProtectedHeader(token).kid).toBe('cert-acme');
      const jwks = await call(sb, '/.well-known/acme-api/jwks');
      expect(jwks.json.keys.map((k: { kid: string }) => k.kid)).toEqual(['cert-acme']);
    } finally {
      app.cert = '';
    }
  });
});

describe('DPoP-bound tokens', () => {
  it('are refused as Bearer and accepted with a proof of the bound key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const jkt = await calculateJwkThumbprint(jwk);
    const token = await sb.issueToken({ kind: 'user', user: 'acme/alice', dpopJkt: jkt });
    expect(decodeJwt(token).cnf).toEqual({ jkt });
    expect((await account(token)).json.msg).toBe('DPoP proof is required for a DPoP-bound access token');
    const proof = await new SignJWT({ htm: 'GET', htu: `${sb.url}/api/get-account`, jti: 'p1' })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).setIssuedAt().sign(privateKey);
    const res = await call(sb, '/api/get-account', { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    expect(res.json).toMatchObject({ status: 'ok', name: 'alice' });
    const introspect = await call(sb, '/api/login/oauth/introspect', { basic: demoBasic(sb), form: { token, token_type_hint: 'access_token' } });
    expect(introspect.json).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });
});
