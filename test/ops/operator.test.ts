import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;
const WRITE_TOOLS = ['add_application', 'update_application', 'delete_application'];
const structured = (r: unknown) => (r as { structuredContent: Json }).structuredContent;

/** Every kind of caller this server knows, to show that none of them gets around the operator. */
async function callers(h: Harness): Promise<Record<string, Record<string, string>>> {
  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
  return {
    anonymous: {},
    appToken: bearer(await h.token('admin')),
    globalAdminToken: bearer(await h.sandbox.issueToken({ kind: 'user', user: 'built-in/admin', scope: 'admin read write', audience: [h.url] })),
    globalAdminCookie: { Cookie: `casdoor_session_id=${await h.sandbox.login('built-in', 'admin', '123')}` },
  };
}

async function listNames(h: Harness, headers: Record<string, string>): Promise<string[]> {
  const body = (await (await h.post(rpc('tools/list'), headers)).json()) as Json;
  return body.result.tools.map((t: Json) => t.name);
}

describe('MCP_READ_ONLY=true', () => {
  let h: Harness;
  let who: Record<string, Record<string, string>>;
  beforeAll(async () => {
    h = await startHarness({ MCP_READ_ONLY: 'true' });
    who = await callers(h);
  });
  afterAll(() => h.close());

  it('lists no write tool to anyone, cookies and anonymous browsing included', async () => {
    for (const [name, headers] of Object.entries(who)) {
      const names = await listNames(h, headers);
      expect(names, name).toEqual(expect.arrayContaining(['get_applications', 'get_application']));
      for (const w of WRITE_TOOLS) expect(names, name).not.toContain(w);
    }
  });

  it('refuses every write call with 403 disabled_by_operator before Casdoor, whoever calls, whatever the arguments', async () => {
    const before = h.sandbox.requests.length;
    const stored = h.sandbox.data.applications.count();
    const attempts: [string, Json][] = [
      ['add_application', { application: { name: 'ro-x', organization: 'acme' } }],
      ['update_application', { id: 'admin/acme-api', application: { displayName: 'changed' } }],
      ['delete_application', { id: 'admin/acme-api', confirm: true, name: 'acme-api' }],
      ['delete_application', { id: 'admin/acme-api', confirm: true, name: 'acme-api', dry_run: true }],
    ];
    for (const [name, headers] of Object.entries(who)) {
      for (const [tool, args] of attempts) {
        const res = await h.post(call(tool, args), headers);
        expect(res.status, `${name} ${tool}`).toBe(403);
        const body = (await res.json()) as Json;
        expect(body.error).toMatchObject({ code: -32013, message: 'forbidden', data: { rule: 'disabled_by_operator', tool } });
      }
    }
    // Cookie resolution is the only Casdoor traffic: no write reached Casdoor.
    expect(h.sandbox.requests.slice(before).filter((r) => r.method === 'POST')).toEqual([]);
    expect(h.sandbox.data.applications.count()).toBe(stored);
    expect(h.sandbox.data.applications.get('admin/acme-api')!.displayName).not.toBe('changed');
  });

  it('reads still work, and whoami (decide()) reports the write tools as disabled by the operator', async () => {
    const client: Client = await h.client(who.globalAdminCookie);
    expect(structured(await client.callTool({ name: 'get_application', arguments: { id: 'admin/acme-api' } })).application.name).toBe('acme-api');
    const me = structured(await client.callTool({ name: 'whoami', arguments: {} }));
    for (const w of WRITE_TOOLS) expect(me.tools.find((t: Json) => t.name === w)).toMatchObject({ allowed: false, rule: 'disabled_by_operator' });
    expect(me.tools.find((t: Json) => t.name === 'get_application')).toMatchObject({ allowed: true });
  });
});

describe('MCP_TOOLS allow-list', () => {
  let h: Harness;
  let who: Record<string, Record<string, string>>;
  beforeAll(async () => {
    h = await startHarness({ MCP_TOOLS: 'whoami,get_application' });
    who = await callers(h);
  });
  afterAll(() => h.close());

  it('lists only the allowed tools to every caller, and refuses the rest', async () => {
    for (const [name, headers] of Object.entries(who)) {
      expect(await listNames(h, headers), name).toEqual(['whoami', 'get_application']);
      const res = await h.post(call('get_applications', {}), headers);
      expect(res.status, name).toBe(403);
      expect(((await res.json()) as Json).error.data).toMatchObject({ rule: 'disabled_by_operator', tool: 'get_applications' });
    }
    const ok = await h.post(call('get_application', { id: 'admin/acme-api' }), who.appToken);
    expect(ok.status).toBe(200);
  });
});

describe('MCP_ALLOWED_ORGANIZATIONS', () => {
  let h: Harness;
  let who: Record<string, Record<string, string>>;
  beforeAll(async () => {
    h = await startHarness({ MCP_ALLOWED_ORGANIZATIONS: 'acme' });
    who = await callers(h);
  });
  afterAll(() => h.close());

  const refused = async (res: Response, label: string) => {
    expect(res.status, label).toBe(403);
    expect(((await res.json()) as Json).error.data, label).toMatchObject({ rule: 'organization_not_allowed' });
  };

  it('limits lists without an organization to the allowed one, for global callers too', async () => {
    for (const name of ['appToken', 'globalAdminToken', 'globalAdminCookie']) {
      const body = (await (await h.post(call('get_applications', { pageSize: 100 }), who[name])).json()) as Json;
      const apps = body.result.structuredContent.applications as Json[];
      expect(apps.length, name).toBeGreaterThan(0);
      expect(apps.every((a) => a.organization === 'acme'), name).toBe(true);
    }
  });

  it('refuses another organization named in the arguments before calling Casdoor', async () => {
    for (const name of ['appToken', 'globalAdminToken', 'globalAdminCookie']) {
      const before = h.sandbox.requests.filter((r) => r.path !== '/api/get-account').length;
      await refused(await h.post(call('get_applications', { organization: 'globex' }), who[name]), `${name} list`);
      await refused(await h.post(call('add_application', { application: { name: `org-${name}`, organization: 'globex' } }), who[name]), `${name} add`);
      expect(h.sandbox.requests.filter((r) => r.path !== '/api/get-account').length, name).toBe(before);
    }
    expect(h.sandbox.data.applications.list().some((a) => a.name.startsWith('org-'))).toBe(false);
  });

  it('refuses objects of another organization once read, and moving an application there', async () => {
    const globex = structuredClone(h.sandbox.data.applications.get('admin/globex-web'));
    for (const name of ['appToken', 'globalAdminToken', 'globalAdminCookie']) {
      await refused(await h.post(call('get_application', { id: 'admin/globex-web' }), who[name]), `${name} get`);
      await refused(await h.post(call('update_application', { id: 'admin/globex-web', application: { displayName: 'x' } }), who[name]), `${name} update`);
      await refused(await h.post(call('delete_application', { id: 'admin/globex-web', confirm: true, name: 'globex-web' }), who[name]), `${name} delete`);
      await refused(await h.post(call('update_application', { id: 'admin/acme-portal', application: { organization: 'globex' } }), who[name]), `${name} move`);
    }
    expect(h.sandbox.data.applications.get('admin/globex-web')).toEqual(globex);
    expect(h.sandbox.data.applications.get('admin/acme-portal')!.organization).toBe('acme');
    const ok = await h.post(call('get_application', { id: 'admin/acme-portal' }), who.appToken);
    expect(ok.status).toBe(200);
  });

  it('whoami reports the organizations left after the allow-list', async () => {
    const orgsOf = async (headers: Record<string, string>) =>
      ((await (await h.post(call('whoami', {}), headers)).json()) as Json).result.structuredContent.organizations;
    expect(await orgsOf(who.globalAdminToken!)).toEqual(['acme']);
    expect(await orgsOf(who.appToken!)).toEqual(['acme']);
    const carol = { Authorization: `Bearer ${await h.sandbox.issueToken({ kind: 'user', user: 'globex/carol', scope: 'admin', audience: [h.url] })}` };
    expect(await orgsOf(carol)).toEqual([]);
  });

  it('an organization admin of another organization can do nothing', async () => {
    const carol = { Authorization: `Bearer ${await h.sandbox.issueToken({ kind: 'user', user: 'globex/carol', scope: 'admin', audience: [h.url] })}` };
    await refused(await h.post(call('get_applications', {}), carol), 'carol list');
    await refused(await h.post(call('get_applications', { organization: 'globex' }), carol), 'carol list globex');
  });

  it('with several allowed organizations, a list must name one', async () => {
    const h2 = await startHarness({ MCP_ALLOWED_ORGANIZATIONS: 'acme,globex' });
    try {
      const token = { Authorization: `Bearer ${await h2.token('admin')}` };
      const r = (await (await h2.post(call('get_applications', {}), token)).json()) as Json;
      expect(r.result.isError).toBe(true);
      expect(r.result.content[0].text).toContain('give organization');
      const g = (await (await h2.post(call('get_applications', { organization: 'globex' }), token)).json()) as Json;
      expect(g.result.structuredContent.applications.every((a: Json) => a.organization === 'globex')).toBe(true);
      const b = await h2.post(call('get_applications', { organization: 'built-in' }), token);
      expect(b.status).toBe(403);
    } finally {
      await h2.close();
    }
  });
});
