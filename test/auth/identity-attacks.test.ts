// Issue 10's attacks, each as an organization admin of acme would run it against a real Casdoor,
// through a real MCP client against the listening server and the sandbox Casdoor. Every one of them
// made this server act as a global administrator (or lose the caller's identity) before.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { importPKCS8, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const WRITE = /^\/api\/(add|update|delete)-/;

async function sandboxCall(h: Harness, path: string, init: { token: string; body?: unknown }): Promise<Json> {
  const res = await fetch(`${h.sandbox.url}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${init.token}`, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return (await res.json()) as Json;
}

/** A call the gate refuses: the SDK client surfaces the JSON-RPC error (403 forbidden) as a rejection. */
const refusedByGate = (client: Client, name: string, args: Json) =>
  expect(client.callTool({ name, arguments: args })).rejects.toThrow(/"forbidden"|admin_required|own_organization_only/);

const structured = (r: unknown) => (r as { structuredContent?: Json }).structuredContent ?? {};

let h: Harness;
/** An access token of acme/alice (admin of acme) for Casdoor's own API, as she would have one. */
let aliceAtCasdoor: string;
beforeAll(async () => {
  h = await startHarness({ MCP_RATE_LIMIT_READS_PER_MINUTE: '0', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
  aliceAtCasdoor = await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', application: 'acme-portal' });
});
afterAll(() => h.close());

/** The sandbox requests made while `run` ran, as "METHOD path". */
async function casdoorCalls(run: () => Promise<unknown>): Promise<string[]> {
  const before = h.sandbox.requests.length;
  await run();
  return h.sandbox.requests.slice(before).filter((r) => r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`);
}

async function refusedAt401(token: string, reason: RegExp): Promise<string[]> {
  let status = 0;
  let body: Json = {};
  const calls = await casdoorCalls(async () => {
    // The SDK client cannot even initialize: the credential is refused on every method.
    await expect(h.client(bearer(token))).rejects.toThrow();
    const res = await h.post(call('add_user', { user: { owner: 'built-in', name: 'pwned', password: 'x' } }), bearer(token));
    status = res.status;
    body = (await res.json()) as Json;
  });
  expect(status).toBe(401);
  expect(body.error.data.reason).toMatch(reason);
  expect(calls.filter((c) => WRITE.test(c.split(' ')[1]!))).toEqual([]);
  return calls;
}

describe('attack 1: a chosen user id and type', () => {
  it('a user that acme\'s admin created with id admin/casdoor-mcp and type application is a plain user of acme', async () => {
    const added = await sandboxCall(h, '/api/add-user', {
      token: aliceAtCasdoor,
      body: { owner: 'acme', name: 'mallory', id: 'admin/casdoor-mcp', type: 'application', password: 'm' },
    });
    expect(added.data).toBe('Affected');
    // Signed in through acme's own application with resource = this server: a token Casdoor really issued.
    const token = await h.sandbox.issueToken({ kind: 'user', user: 'acme/mallory', application: 'acme-portal', scope: 'admin', audience: [h.url] });
    const client = await h.client(bearer(token));
    const me = structured(await client.callTool({ name: 'whoami', arguments: {} }));
    expect(me.principal).toMatchObject({ type: 'user', id: 'acme/mallory', isAdmin: false });
    const calls = await casdoorCalls(async () => {
      await refusedByGate(client, 'get_users', { owner: 'built-in' });
      const own = await client.callTool({ name: 'get_application', arguments: { id: 'admin/casdoor-mcp' } });
      expect(structured(own).application?.clientSecret).not.toBe(h.sandbox.demo.clientSecret);
      await refusedByGate(client, 'add_user', { user: { owner: 'built-in', name: 'pwned', password: 'x' } });
    });
    expect(calls.filter((c) => WRITE.test(c.split(' ')[1]!))).toEqual([]);
    expect(h.sandbox.data.users.has('built-in/pwned')).toBe(false);
  });
});

describe('attack 2: a chosen client id', () => {
  it('an acme application whose clientId is this server\'s URL gets no application principal', async () => {
    const added = await sandboxCall(h, '/api/add-application', {
      token: aliceAtCasdoor,
      body: { owner: 'admin', name: 'acme-evil', organization: 'acme', clientId: h.url, clientSecret: 'evil-secret', grantTypes: ['client_credentials'], expireInHours: 168 },
    });
    expect(added.data).toBe('Affected');
    const res = await fetch(h.sandbox.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: h.url, client_secret: 'evil-secret' }),
    });
    const token = ((await res.json()) as Json).access_token as string;
    expect(token).toMatch(/^ey/);
    const calls = await refusedAt401(token, /application tokens are accepted only from trusted clients; client .* \(application acme-evil\) is not one/);
    expect(calls).toContain('GET /api/get-account');
    const body = (await (await h.post(rpc('tools/list'), bearer(token))).json()) as Json;
    expect(body.error.data.hint).toContain('MCP_TRUSTED_CLIENTS');
  });
});

describe('attack 3: any key of the global JWKS', () => {
  it('a token signed with acme\'s own certificate is refused as untrusted, before Casdoor is asked', async () => {
    const certs = await sandboxCall(h, '/api/get-certs?owner=acme', { token: aliceAtCasdoor });
    const acmeCert = (certs.data as Json[]).find((c) => c.name === 'cert-acme')!;
    const key = await importPKCS8(acmeCert.privateKey, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ sub: 'admin/casdoor-mcp', type: 'application', owner: 'admin', name: 'casdoor-mcp', scope: 'admin', tokenType: 'access-token' })
      .setProtectedHeader({ alg: 'RS256', kid: 'cert-acme', typ: 'JWT' })
      .setIssuer(h.sandbox.issuer).setAudience([h.url]).setIssuedAt(now).setExpirationTime(now + 3600).sign(key);
    const calls = await refusedAt401(forged, /certificate this server does not trust/);
    expect(calls).toEqual([]);
  });
});

describe('attack 4: claims as privileges', () => {
  it('JWT-Custom attributes claiming owner built-in and name admin: the audit names the real caller', async () => {
    const app = h.sandbox.data.applications.get('admin/acme-portal')!;
    Object.assign(app, { tokenFormat: 'JWT-Custom', tokenFields: [], tokenAttributes: [{ name: 'owner', value: 'built-in', type: 'String' }, { name: 'name', value: 'admin', type: 'String' }, { name: 'isAdmin', value: 'true', type: 'String' }] });
    try {
      const token = await h.sandbox.issueToken({ kind: 'user', user: 'acme/bob', application: 'acme-portal', scope: 'admin', audience: [h.url] });
      const client = await h.client({ ...bearer(token), 'X-Request-Id': 'claims-as-privileges' });
      expect(structured(await client.callTool({ name: 'whoami', arguments: {} })).principal).toMatchObject({ id: 'acme/bob', isAdmin: false });
      await refusedByGate(client, 'get_users', { owner: 'built-in' });
      const lines = h.logs.filter((l) => l.audit && l.requestId === 'claims-as-privileges');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.caller).toMatchObject({ subject: 'acme/bob', organization: 'acme' });
    } finally {
      Object.assign(app, { tokenFormat: 'JWT', tokenAttributes: [] });
    }
  });

  it('a JWT-Custom token without identity claims still names its user: an organization admin stays one', async () => {
    const app = h.sandbox.data.applications.get('admin/acme-portal')!;
    Object.assign(app, { tokenFormat: 'JWT-Custom', tokenFields: [], tokenAttributes: [] });
    try {
      const token = await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', application: 'acme-portal', scope: 'admin', audience: [h.url] });
      const client = await h.client(bearer(token));
      expect(structured(await client.callTool({ name: 'whoami', arguments: {} }))).toMatchObject({ principal: { id: 'acme/alice', isAdmin: true }, organizations: ['acme'] });
      expect((await client.callTool({ name: 'get_applications', arguments: { organization: 'acme' } })).isError).toBeFalsy();
    } finally {
      Object.assign(app, { tokenFormat: 'JWT' });
    }
  });
});

describe('Casdoor\'s later answers take effect within the cache lifetime', () => {
  async function afterCache<T>(run: () => Promise<T>): Promise<T> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    try {
      return await run();
    } finally {
      vi.useRealTimers();
    }
  }
  const update = (id: string, fields: Json, columns: string) =>
    fetch(`${h.sandbox.url}/api/update-user?id=${id}&columns=${columns}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${h.sandbox.demo.clientId}:${h.sandbox.demo.clientSecret}`).toString('base64')}` },
      body: JSON.stringify({ ...h.sandbox.data.users.get(id), ...fields }),
    });

  it('a demoted admin loses admin rights', async () => {
    const bob = h.sandbox.data.users.get('acme/bob')!;
    h.sandbox.data.users.put({ ...structuredClone(bob), name: 'erin', id: 'erin-uuid', isAdmin: true });
    const token = await h.sandbox.issueToken({ kind: 'user', user: 'acme/erin', scope: 'admin', audience: [h.url] });
    const client = await h.client(bearer(token));
    expect((await client.callTool({ name: 'get_applications', arguments: { organization: 'acme' } })).isError).toBeFalsy();
    await update('acme/erin', { isAdmin: false }, 'is_admin');
    await afterCache(async () => {
      await expect(client.callTool({ name: 'get_applications', arguments: { organization: 'acme' } })).rejects.toThrow(/not an administrator/);
    });
  });

  it('a forbidden user and a revoked token are refused with 401', async () => {
    const bob = h.sandbox.data.users.get('acme/bob')!;
    h.sandbox.data.users.put({ ...structuredClone(bob), name: 'frank', id: 'frank-uuid' });
    const frank = await h.sandbox.issueToken({ kind: 'user', user: 'acme/frank', scope: 'admin', audience: [h.url] });
    const revoked = await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'admin', audience: [h.url] });
    for (const t of [frank, revoked]) expect((await h.post(rpc('tools/list'), bearer(t))).status).toBe(200);
    await update('acme/frank', { isForbidden: true }, 'is_forbidden');
    expect(h.sandbox.store.tokens.revoke(revoked)).toBe(true);
    await afterCache(async () => {
      for (const t of [frank, revoked]) {
        const res = await h.post(call('delete_application', { id: 'admin/acme-api', confirm: true, name: 'acme-api' }), bearer(t));
        expect(res.status).toBe(401);
        expect(((await res.json()) as Json).error.data.reason).toMatch(/^Casdoor does not accept this token/);
      }
    });
    expect(h.sandbox.data.applications.has('admin/acme-api')).toBe(true);
  });
});

describe('attack 6: large real tokens', () => {
  it('a 17.9 KB token Casdoor issued (roles and permissions in the JWT format) is accepted', async () => {
    const token = await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'admin', audience: [h.url], extraClaims: { permissions: Array.from({ length: 27 }, (_, i) => ({ name: `perm-${i}`, pad: 'p'.repeat(480) })) } });
    expect(token.length).toBeGreaterThan(17_000);
    const client = await h.client(bearer(token));
    expect(structured(await client.callTool({ name: 'whoami', arguments: {} })).principal).toMatchObject({ id: 'acme/alice' });
  });
});

describe('attack 7: a valid signature proves nothing', () => {
  it('a token signed with cert-built-in\'s key, read through get-certs?owner=acme, naming built-in/admin', async () => {
    const certs = await sandboxCall(h, '/api/get-certs?owner=acme', { token: aliceAtCasdoor });
    const builtIn = (certs.data as Json[]).find((c) => c.name === 'cert-built-in')!;
    const key = await importPKCS8(builtIn.privateKey, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [
      { sub: h.sandbox.data.users.get('built-in/admin')!.id, owner: 'built-in', name: 'admin', isAdmin: true },
      { sub: 'admin/casdoor-mcp', owner: 'admin', name: 'casdoor-mcp', type: 'application', azp: h.sandbox.demo.clientId },
    ]) {
      const forged = await new SignJWT({ ...claims, scope: 'admin', tokenType: 'access-token' })
        .setProtectedHeader({ alg: 'RS256', kid: 'cert-built-in', typ: 'JWT' })
        .setIssuer(h.sandbox.issuer).setAudience([h.url]).setIssuedAt(now).setExpirationTime(now + 3600).setJti('admin/forged').sign(key);
      const calls = await refusedAt401(forged, /^Casdoor does not accept this token/);
      // Asked once (then remembered as refused for a few seconds); never a tool's Casdoor call.
      expect(calls).toEqual(['POST /api/login/oauth/introspect']);
    }
  });
});

describe('DPoP-bound tokens', () => {
  it('a DPoP-bound token presented as Bearer is refused before Casdoor is asked', async () => {
    const token = await h.sandbox.issueToken({ kind: 'user', user: 'built-in/admin', scope: 'admin', audience: [h.url], dpopJkt: 'Bo9kFQ8J1mCAo3g_Tfq8ok0TsKcvbz28d5FOCqzYzQE' });
    const calls = await refusedAt401(token, /DPoP-bound/);
    expect(calls).toEqual([]);
  });
});

describe('a resolved credential costs no Casdoor call', () => {
  it('tools/list and tools/call with a token already resolved ask Casdoor nothing about it', async () => {
    const token = await h.token('read:application');
    const client: Client = await h.client(bearer(token)); // initialize resolves it
    expect(await casdoorCalls(() => client.listTools())).toEqual([]);
    expect(await casdoorCalls(() => client.callTool({ name: 'get_application', arguments: { id: 'admin/acme-portal' } }))).toEqual(['GET /api/get-application']);
  });
});
