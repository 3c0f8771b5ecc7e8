// The sandbox as the authorization server of the MCP sign-in: dynamic registration, the sign-in and
// consent pages, the code bound to PKCE, redirect URI, resource and client, refresh without widening.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import scopesJson from '../../scopes.json' with { type: 'json' };
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { call, startHarness, type Harness } from '../support/harness.js';
import { authorizeUrl, claims, consent, exchange, pkce, register, signIn } from './flow.js';

let h: Harness;
let casdoor: string;
let mcp: string;
const redirect = 'http://127.0.0.1:53682/callback';

beforeAll(async () => {
  h = await startHarness();
  casdoor = h.sandbox.url;
  mcp = h.url;
});
afterAll(() => h.close());

async function newClient(extra: Record<string, unknown> = {}) {
  const r = await register(casdoor, { client_name: 'test client', redirect_uris: [redirect], grant_types: ['authorization_code', 'refresh_token'], ...extra });
  expect(r.status).toBe(201);
  return r.body as { client_id: string; client_secret: string };
}

/** Sign-in and consent as the browser does them; returns the code and the verifier. */
async function codeFor(clientId: string, username: string, password: string, scope: string, resource = mcp) {
  const { verifier, challenge } = pkce();
  const s = await signIn(authorizeUrl(casdoor, { client_id: clientId, redirect_uri: redirect, scope, resource, state: 'st-1', code_challenge: challenge }), username, password);
  expect(s.response.status, s.consentHtml).toBe(200);
  const answer = await consent(casdoor, s.ticket, 'allow');
  expect(answer.status).toBe(302);
  expect(answer.location!.origin + answer.location!.pathname).toBe(redirect);
  expect(answer.location!.searchParams.get('state')).toBe('st-1');
  return { code: answer.location!.searchParams.get('code')!, verifier, consentHtml: s.consentHtml };
}

describe('discovery and dynamic client registration', () => {
  it('every endpoint the discovery document names for the sign-in is served', async () => {
    const doc = (await (await fetch(`${casdoor}/.well-known/oauth-authorization-server`)).json()) as Record<string, string | string[]>;
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    const page = await fetch(`${doc.authorization_endpoint}?client_id=nope`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('Invalid client_id');
    const reg = await fetch(String(doc.registration_endpoint), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(reg.status).toBe(400);
    expect(await reg.json()).toEqual({ error: 'invalid_redirect_uri', error_description: 'redirect_uris is required and must contain at least one URI' });
  });

  it('registers a client as Casdoor does (Agent/MCP application tagged dcr) in the demo', async () => {
    const r = await register(casdoor, { client_name: 'My agent', redirect_uris: [redirect] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ client_name: 'My agent', redirect_uris: [redirect], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', client_secret_expires_at: 0 });
    const app = h.sandbox.data.applications.list().find((a) => a.clientId === r.body.client_id)!;
    expect(app).toMatchObject({ organization: 'built-in', category: 'Agent', type: 'MCP', tags: ['dcr'], cert: '' });
    expect(app.name).toMatch(/^dcr_/);
  });

  it("a plain sandbox keeps Casdoor's default: registration is disabled for built-in", async () => {
    const plain: Sandbox = await startSandbox();
    try {
      const r = await register(plain.url, { client_name: 'x', redirect_uris: [redirect] });
      expect(r).toEqual({ status: 400, body: { error: 'invalid_client_metadata', error_description: 'dynamic client registration is disabled for this organization' } });
      expect((await register(plain.url, { redirect_uris: [redirect] }, '?organization=nope')).body.error_description).toBe('organization not found');
    } finally {
      await plain.stop();
    }
  });
});

describe('the sign-in and consent pages', () => {
  it('an unlisted redirect URI is refused on the page, never redirected to', async () => {
    const { client_id } = await newClient();
    const res = await fetch(authorizeUrl(casdoor, { client_id, redirect_uri: 'http://evil.example/cb', scope: '', code_challenge: pkce().challenge }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Redirect URI: http://evil.example/cb doesn&#39;t exist in the allowed Redirect URI list');
    // A registered loopback URI matches on any port (RFC 8252), but not another path.
    const other = await fetch(authorizeUrl(casdoor, { client_id, redirect_uri: 'http://127.0.0.1:1234/callback', scope: '', code_challenge: pkce().challenge }), { redirect: 'manual' });
    expect(other.status).toBe(200);
    const path = await fetch(authorizeUrl(casdoor, { client_id, redirect_uri: 'http://127.0.0.1:53682/callback/x', scope: '', code_challenge: pkce().challenge }), { redirect: 'manual' });
    expect(path.status).toBe(400);
  });

  it('PKCE S256 is required: without it, or with plain, the client gets invalid_request', async () => {
    const { client_id } = await newClient();
    for (const extra of [{}, { code_challenge: 'abc', code_challenge_method: 'plain' }]) {
      const res = await fetch(authorizeUrl(casdoor, { client_id, redirect_uri: redirect, scope: '', state: 's', ...extra }), { redirect: 'manual' });
      expect(res.status).toBe(302);
      const loc = new URL(res.headers.get('location')!);
      expect(loc.searchParams.get('error')).toBe('invalid_request');
      expect(loc.searchParams.get('state')).toBe('s');
    }
  });

  it('a wrong password shows the sign-in page again with the reason; no code is issued', async () => {
    const { client_id } = await newClient();
    const s = await signIn(authorizeUrl(casdoor, { client_id, redirect_uri: redirect, scope: 'read:user', code_challenge: pkce().challenge }), 'acme/alice', 'wrong');
    expect(s.response.status).toBe(400);
    expect(s.consentHtml).toContain('password or code is incorrect');
    expect(s.ticket).toBe('');
  });

  it("the consent page lists each requested scope with scopes.json's display name and description", async () => {
    const { client_id } = await newClient();
    const s = await signIn(authorizeUrl(casdoor, { client_id, redirect_uri: redirect, scope: 'read:application write:user', resource: mcp, code_challenge: pkce().challenge }), 'acme/alice', 'alice-pass');
    for (const name of ['read:application', 'write:user'] as const) {
      const def = scopesJson.scopes[name];
      expect(s.consentHtml).toContain(`data-scope="${name}"`);
      expect(s.consentHtml).toContain(def.displayName);
      expect(s.consentHtml).toContain(def.description.replace(/'/g, '&#39;'));
    }
    expect(s.consentHtml).not.toContain('data-scope="read:user"');
    expect(s.consentHtml).toContain('acme/alice');
    // Denying sends the user back with access_denied, and the ticket cannot be answered twice.
    const denied = await consent(casdoor, s.ticket, 'deny');
    expect(denied.location!.searchParams.get('error')).toBe('access_denied');
    expect((await consent(casdoor, s.ticket, 'allow')).status).toBe(400);
  });
});

describe('the code and the token', () => {
  it('is bound to the verifier, the redirect URI, the resource and the client; once only', async () => {
    const { client_id, client_secret } = await newClient();
    const { code, verifier } = await codeFor(client_id, 'acme/alice', 'alice-pass', 'read:application read:user');
    const base = { grant_type: 'authorization_code', code, client_id, client_secret, redirect_uri: redirect, code_verifier: verifier, resource: mcp };
    expect((await exchange(casdoor, { ...base, code_verifier: pkce().verifier })).body.error).toBe('invalid_grant');
    expect((await exchange(casdoor, { ...base, code_verifier: '' })).body.error).toBe('invalid_grant');
    expect((await exchange(casdoor, { ...base, redirect_uri: 'http://127.0.0.1:9/other' })).body.error).toBe('invalid_grant');
    expect((await exchange(casdoor, { ...base, resource: 'http://127.0.0.1:9/mcp' })).body.error).toBe('invalid_grant');
    const other = await newClient();
    expect((await exchange(casdoor, { ...base, client_id: other.client_id, client_secret: other.client_secret })).body.error).toBe('invalid_grant');

    const ok = await exchange(casdoor, base);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    const c = claims(String(ok.body.access_token));
    expect(c).toMatchObject({ aud: [mcp], azp: client_id, owner: 'acme', name: 'alice', scope: 'read:application read:user', tokenType: 'access-token', iss: casdoor });
    const again = await exchange(casdoor, base);
    expect(again.body.error).toBe('invalid_grant');
    expect(String(again.body.error_description)).toMatch(/^authorization code has been used for token: \[admin\//);

    // The MCP server accepts it (aud = its URL) and sees alice, with exactly the granted tools.
    const res = await h.post(call('whoami', {}), { Authorization: `Bearer ${String(ok.body.access_token)}` });
    const who = ((await res.json()) as { result: { structuredContent: { principal: { id: string } } } }).result.structuredContent;
    expect(who.principal.id).toBe('acme/alice');
  });

  it("Casdoor's tag rule: a plain user is refused by a registered client (tags [\"dcr\"]), but not by the demo application", async () => {
    const { client_id } = await newClient();
    const s = await signIn(authorizeUrl(casdoor, { client_id, redirect_uri: redirect, scope: 'read:user', code_challenge: pkce().challenge }), 'acme/bob', 'bob-pass');
    expect(s.response.status).toBe(400);
    expect(s.consentHtml).toContain('is not listed in the application&#39;s tags');
    const demo = h.sandbox.data.applications.get('admin/casdoor-mcp')!;
    demo.redirectUris = [...(demo.redirectUris as string[]), redirect];
    const viaDemo = await codeFor(demo.clientId, 'acme/bob', 'bob-pass', 'read:user');
    const ok = await exchange(casdoor, { grant_type: 'authorization_code', code: viaDemo.code, client_id: demo.clientId, client_secret: demo.clientSecret, redirect_uri: redirect, code_verifier: viaDemo.verifier, resource: mcp });
    expect(claims(String(ok.body.access_token))).toMatchObject({ owner: 'acme', name: 'bob', aud: [mcp] });
  });

  it('a public client (no secret) with PKCE gets a token; a wrong secret is refused', async () => {
    const { client_id } = await newClient({ token_endpoint_auth_method: 'none' });
    const first = await codeFor(client_id, 'built-in/admin', '123', 'read:user');
    expect((await exchange(casdoor, { grant_type: 'authorization_code', code: first.code, client_id, client_secret: 'wrong', redirect_uri: redirect, code_verifier: first.verifier })).status).toBe(401);
    const ok = await exchange(casdoor, { grant_type: 'authorization_code', code: first.code, client_id, redirect_uri: redirect, code_verifier: first.verifier, resource: mcp });
    expect(ok.status).toBe(200);
  });

  it('refresh keeps the audience, may narrow the scope, never widens it; the old refresh token is spent', async () => {
    const { client_id, client_secret } = await newClient();
    const { code, verifier } = await codeFor(client_id, 'acme/alice', 'alice-pass', 'read:application read:user');
    const tokens = (await exchange(casdoor, { grant_type: 'authorization_code', code, client_id, client_secret, redirect_uri: redirect, code_verifier: verifier, resource: mcp })).body;
    const refresh = String(tokens.refresh_token);
    const wider = await exchange(casdoor, { grant_type: 'refresh_token', refresh_token: refresh, client_id, client_secret, scope: 'read:application write:user' });
    expect(wider).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const narrow = await exchange(casdoor, { grant_type: 'refresh_token', refresh_token: refresh, client_id, client_secret, scope: 'read:application' });
    expect(narrow.status).toBe(200);
    expect(claims(String(narrow.body.access_token))).toMatchObject({ aud: [mcp], scope: 'read:application' });
    expect((await exchange(casdoor, { grant_type: 'refresh_token', refresh_token: refresh, client_id, client_secret })).body.error).toBe('invalid_grant');
    // The replaced access token is no longer in the token store.
    const res = await h.post(call('whoami', {}), { Authorization: `Bearer ${String(narrow.body.access_token)}` });
    expect(res.status).toBe(200);
  });

  it('acme/alice and acme/bob get tokens through the demo client (password grant, org/name) that the MCP server accepts', async () => {
    for (const [user, pw] of [['acme/alice', 'alice-pass'], ['acme/bob', 'bob-pass']]) {
      const token = await h.userToken(user!, pw!, 'read:user');
      const res = await h.post(call('whoami', {}), { Authorization: `Bearer ${token}` });
      const who = ((await res.json()) as { result: { structuredContent: { principal: { id: string } } } }).result.structuredContent;
      expect(who.principal.id).toBe(user);
    }
  });
});
