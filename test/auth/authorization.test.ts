import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/index.js';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;
const READS = ['get_applications', 'get_application'];
const WRITES = ['add_application', 'update_application', 'delete_application'];
const ALL = [...READS, ...WRITES];
// Changed on purpose (issue 4): whoami needs no scope and is listed for everyone; user tools joined.
const USER_TOOLS = ['get_users', 'get_user', 'add_user', 'update_user', 'delete_user'];
// Changed on purpose (issue 14): the organization, role, permission, provider, token and group tools joined.
const LISTED_ALL = TOOLS.map((t) => t.name);

/** Arguments that would succeed for a global admin, per tool and target organization. */
const target = { acme: 'acme-portal', globex: 'globex-web' } as const;
let seq = 0;
function argsFor(tool: string, org: 'acme' | 'globex'): Json {
  switch (tool) {
    case 'get_applications':
      return { organization: org };
    case 'get_application':
      return { id: `admin/${target[org]}` };
    case 'add_application':
      return { application: { name: `m-${org}-${++seq}`, organization: org } };
    case 'update_application':
      return { id: `admin/${target[org]}`, application: { description: `touched ${++seq}` } };
    default:
      return { id: `admin/${target[org]}` };
  }
}

describe('authorization: scopes, caller rules, challenges', () => {
  let h: Harness;
  let prm: string;
  const headers: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    h = await startHarness();
    prm = `${new URL(h.url).origin}/.well-known/oauth-protected-resource/mcp`;
    const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
    const cookie = (v: string) => ({ Cookie: `casdoor_session_id=${v}` });
    headers.anonymous = {};
    headers.read = bearer(await h.token('read:application'));
    headers.write = bearer(await h.token('write:application'));
    headers.alias = bearer(await h.token('application:read application:write'));
    headers.admin = bearer(await h.token('admin'));
    headers.none = bearer(await h.token(''));
    // Users of other organizations get tokens through the authorization-code flow with resource = this
    // server (Casdoor then sets aud = [resource]); the sandbox signs the same claims directly.
    const userToken = (user: string) => h.sandbox.issueToken({ kind: 'user', user, scope: 'read:application write:application', audience: [h.url] });
    headers.orgAdmin = bearer(await userToken('acme/alice'));
    headers.user = bearer(await userToken('acme/bob'));
    headers.globalUser = bearer(await h.userToken('admin', '123', 'read:application write:application'));
    headers.globalCookie = cookie(await h.sandbox.login('built-in', 'admin', '123'));
    headers.orgCookie = cookie(await h.sandbox.login('acme', 'alice', 'alice-pass'));
    headers.expired = bearer(await h.sandbox.issueToken({ scope: 'admin', expiresInSeconds: -3600 }));
    headers.wrongAud = bearer(await h.sandbox.issueToken({ scope: 'admin', audience: ['https://other.example/api'] }));
    headers.wrongIss = bearer(await h.sandbox.issueToken({ scope: 'admin', issuer: 'https://evil.example' }));
    headers.refresh = bearer(await h.sandbox.issueToken({ scope: 'admin', tokenType: 'refresh-token' }));
  });
  afterAll(() => h.close());

  async function listed(who: string): Promise<string[]> {
    const res = await h.post(rpc('tools/list'), headers[who]);
    expect(res.status).toBe(200);
    return ((await res.json()) as Json).result.tools.map((t: Json) => t.name);
  }

  it('tools/list shows every tool to anonymous callers and cookies, and exactly the granted ones to tokens', async () => {
    expect(await listed('anonymous')).toEqual(LISTED_ALL);
    expect(await listed('globalCookie')).toEqual(LISTED_ALL);
    expect(await listed('orgCookie')).toEqual(LISTED_ALL);
    expect(await listed('read')).toEqual(['whoami', ...READS]);
    expect(await listed('write')).toEqual(['whoami', ...WRITES]);
    expect(await listed('alias')).toEqual(['whoami', ...ALL]);
    expect(await listed('admin')).toEqual(LISTED_ALL);
    expect(await listed('none')).toEqual(['whoami']);
  });

  it('an anonymous tools/call gets 401 with the challenge (no error=) and nothing reaches Casdoor', async () => {
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    for (const tool of ALL) {
      const res = await h.post(call(tool, argsFor(tool, 'acme'), 9));
      expect(res.status).toBe(401);
      const scope = READS.includes(tool) ? 'read:application' : 'write:application';
      expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="casdoor-mcp", resource_metadata="${prm}", scope="${scope}"`);
      const body = (await res.json()) as Json;
      expect(body).toMatchObject({ jsonrpc: '2.0', id: 9, error: { message: 'unauthorized', data: { tool, required_scope: scope } } });
      expect(body.error.data.hint).toMatch(/access token/);
    }
    expect(h.apiCalls()).toBe(beforeApi);
  });

  it('the /api/mcp endpoint points its challenge at its own path-suffixed metadata', async () => {
    const res = await h.post(call('get_applications', {}), {}, '/api/mcp');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(`resource_metadata="${new URL(h.url).origin}/.well-known/oauth-protected-resource/api/mcp"`);
  });

  it('a read:application token calling add_application gets exactly the documented 403', async () => {
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    const res = await h.post(call('add_application', { application: { name: 'nope', organization: 'acme' } }, 10), headers.read);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="write:application", resource_metadata="${prm}", error_description="add_application requires the write:application scope"`,
    );
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 10,
      error: { code: -32001, message: 'insufficient_scope', data: { tool: 'add_application', granted_scopes: ['read:application'], required_scope: 'write:application' } },
    });
    expect(h.apiCalls()).toBe(beforeApi);
  });

  it('granted_scopes reports the scopes as granted, aliases included', async () => {
    const res = await h.post(call('get_application', { id: 'admin/acme-portal' }), headers.write);
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).error.data).toEqual({ tool: 'get_application', granted_scopes: ['write:application'], required_scope: 'read:application' });
  });

  // caller -> tool -> org -> expected outcome: 'ok' | 'scope' (403 -32001) | 'forbidden' (403 -32013)
  const matrix: Record<string, (tool: string, org: 'acme' | 'globex') => 'ok' | 'scope' | 'forbidden'> = {
    read: (tool) => (READS.includes(tool) ? 'ok' : 'scope'),
    write: (tool) => (WRITES.includes(tool) ? 'ok' : 'scope'),
    alias: () => 'ok',
    admin: () => 'ok',
    globalCookie: () => 'ok',
    globalUser: () => 'ok',
    // Changed on purpose (issue 12): an organization admin reads any application, masked, as a plain user may.
    orgAdmin: (tool, org) => (org === 'acme' || tool === 'get_application' ? 'ok' : 'forbidden'),
    orgCookie: (tool, org) => (org === 'acme' || tool === 'get_application' ? 'ok' : 'forbidden'),
    user: (tool) => (tool === 'get_application' ? 'ok' : 'forbidden'),
  };
  const order = ['get_applications', 'get_application', 'update_application', 'add_application', 'delete_application'];

  for (const [who, expected] of Object.entries(matrix)) {
    for (const org of ['acme', 'globex'] as const) {
      it(`${who} on ${org}: each tool is allowed or refused as Casdoor's rules say`, async () => {
        for (const tool of order) {
          const want = expected(tool, org);
          // Deleting the fixture would change later cases: delete a fresh application instead.
          let args = argsFor(tool, org);
          if (tool === 'delete_application' && want === 'ok') {
            const name = `del-${who}-${org}`;
            h.sandbox.data.applications.put({ ...(h.sandbox.data.applications.get(`admin/${target[org]}`) as Json), name, clientId: `cid-${name}` });
            // Changed on purpose (issue 4): a delete needs confirm + the name when the client cannot be asked.
            args = { id: `admin/${name}`, confirm: true, name };
          }
          const before = h.sandbox.requests.length;
          const beforeApi = h.apiCalls();
          const snapshot = structuredClone(h.sandbox.data.applications.list());
          const res = await h.post(call(tool, args, 5), headers[who]);
          const body = (await res.json()) as Json;
          if (want === 'ok') {
            expect(res.status, `${who} ${tool} ${org}: ${JSON.stringify(body)}`).toBe(200);
            expect(body.result.isError, `${who} ${tool} ${org}: ${JSON.stringify(body)}`).toBeFalsy();
            if (tool === 'delete_application') expect(h.sandbox.data.applications.has(args.id as string)).toBe(false);
          } else if (want === 'scope') {
            expect(res.status).toBe(403);
            expect(body.error.code).toBe(-32001);
            expect(h.apiCalls()).toBe(beforeApi);
          } else {
            expect(res.status, `${who} ${tool} ${org}`).toBe(403);
            expect(body.error).toMatchObject({ code: -32013, message: 'forbidden', data: { tool } });
            expect(body.error.data.rule).toMatch(/^(own_organization_only|admin_required)$/);
            expect(res.headers.get('www-authenticate')).toBeNull();
            // A refusal may read the target to learn its organization, but never writes.
            const writes = h.sandbox.requests.slice(before).filter((q) => /^\/api\/(add|update|delete)-/.test(q.path));
            expect(writes.map((q) => q.path), `${who} ${tool} ${org}`).toEqual([]);
            expect(h.sandbox.data.applications.list(), `${who} ${tool} ${org}`).toEqual(snapshot);
          }
        }
      });
    }
  }

  it('an organization admin listing without a filter sees only their organization', async () => {
    for (const who of ['orgAdmin', 'orgCookie']) {
      const body = (await (await h.post(call('get_applications', { pageSize: 100 }), headers[who])).json()) as Json;
      const apps = body.result.structuredContent.applications as Json[];
      expect(apps.length).toBeGreaterThan(0);
      expect(apps.every((a) => a.organization === 'acme')).toBe(true);
    }
  });

  it('secrets are shown to global admins and applications only', async () => {
    const stored = h.sandbox.data.applications.get('admin/acme-portal') as Json;
    const secretOf = async (who: string) =>
      ((await (await h.post(call('get_application', { id: 'admin/acme-portal' }), headers[who])).json()) as Json).result.structuredContent.application;
    expect((await secretOf('admin')).clientSecret).toBe(stored.clientSecret);
    expect((await secretOf('globalCookie')).clientSecret).toBe(stored.clientSecret);
    for (const who of ['orgAdmin', 'orgCookie', 'user']) {
      const app = await secretOf(who);
      expect(app.clientSecret, who).toBe('***');
      expect(app.cert, who).toBe('***');
      expect(app.redirectUris, who).toEqual([]);
      expect(JSON.stringify(app), who).not.toContain(stored.clientSecret);
    }
  });

  it('a masked value is never written back to Casdoor', async () => {
    const before = structuredClone(h.sandbox.data.applications.get('admin/acme-portal'));
    // The mask echoed back exactly as shown means "unchanged" (Casdoor-shaped calls send the object as read).
    const echoed = (await (await h.post(call('update_application', { id: 'admin/acme-portal', application: { clientSecret: '***' } }), headers.orgAdmin)).json()) as Json;
    expect(echoed.result.structuredContent.changes).toEqual([]);
    // A mask where the caller was shown a real value is refused.
    const body = (await (await h.post(call('update_application', { id: 'admin/acme-portal', application: { description: '***' } }), headers.orgAdmin)).json()) as Json;
    expect(body.result.isError).toBe(true);
    expect(h.sandbox.data.applications.get('admin/acme-portal')).toEqual(before);
  });

  it('an organization admin cannot move an application to another organization', async () => {
    const res = await h.post(call('update_application', { id: 'admin/acme-api', application: { organization: 'globex' } }), headers.orgAdmin);
    expect(res.status).toBe(403);
    expect((h.sandbox.data.applications.get('admin/acme-api') as Json).organization).toBe('acme');
  });

  for (const who of ['expired', 'wrongAud', 'wrongIss', 'refresh']) {
    it(`a bad token (${who}) gets 401 invalid_token on every method, never anonymous access`, async () => {
      const before = h.sandbox.requests.length;
      const beforeApi = h.apiCalls();
      for (const msg of [rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } }), rpc('ping'), rpc('tools/list'), call('get_application', { id: 'admin/acme-portal' })]) {
        const res = await h.post(msg, headers[who]);
        expect(res.status, `${who} ${msg.method}`).toBe(401);
        const challenge = res.headers.get('www-authenticate')!;
        expect(challenge).toContain('error="invalid_token"');
        expect(challenge).toContain(`resource_metadata="${prm}"`);
        expect(challenge).toMatch(/error_description="[^"]+"/);
        expect(((await res.json()) as Json).error.message).toBe('invalid_token');
      }
      const notification = await h.post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers[who]);
      expect(notification.status).toBe(401);
      expect(h.apiCalls()).toBe(beforeApi);
    });
  }

  it('a session cookie is resolved with the cookie alone, cached, and never sent with credentials', async () => {
    const cookie = await h.sandbox.login('built-in', 'admin', '123');
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    await h.post(call('get_application', { id: 'admin/acme-portal' }), { Cookie: `casdoor_session_id=${cookie}` });
    await h.post(call('get_application', { id: 'admin/acme-portal' }), { Cookie: `casdoor_session_id=${cookie}` });
    const seen = h.sandbox.requests.slice(before);
    const accounts = seen.filter((r) => r.path === '/api/get-account');
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.auth).toBe('cookie');
    expect(seen.filter((r) => r.path !== '/api/get-account').every((r) => r.auth === 'basic')).toBe(true);
    // Casdoor would have rewritten the session's user had credentials travelled with the cookie.
    const account = await fetch(`${h.sandbox.url}/api/get-account`, { headers: { Cookie: `casdoor_session_id=${cookie}` } });
    expect(((await account.json()) as Json).data.name).toBe('admin');
  });

  it('a cookie Casdoor does not accept gets 401', async () => {
    const res = await h.post(rpc('tools/list'), { Cookie: 'casdoor_session_id=not-a-session' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as Json).error.message).toBe('invalid_session');
  });

  it('a bearer token wins over a cookie, and the cookie is then not used', async () => {
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    const res = await h.post(rpc('tools/list'), { ...headers.read, Cookie: `casdoor_session_id=${await h.sandbox.login('built-in', 'admin', '123')}` });
    expect(((await res.json()) as Json).result.tools.map((t: Json) => t.name)).toEqual(['whoami', ...READS]);
    expect(h.sandbox.requests.slice(before).filter((r) => r.path === '/api/get-account')).toHaveLength(0);
  });

  it('a cross-site request carrying a cookie is refused before the cookie is used', async () => {
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    const res = await h.post(call('delete_application', { id: 'admin/acme-api' }), { ...headers.globalCookie, Origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(h.apiCalls()).toBe(beforeApi);
    expect(h.sandbox.data.applications.has('admin/acme-api')).toBe(true);
  });
});
