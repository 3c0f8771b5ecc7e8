import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { bearer, cookie, mcpClient, rpcCodeOf, structured, text, type Json } from '../tools/helpers.js';
import { copyOf, FAMILIES, FIXTURE, PLURAL, row, tokenOf, type Family, type Org } from './support.js';

type Want = 'ok' | 'scope' | 'forbidden';

/**
 * Per family: every caller (global admin, application, organization admin, plain user, each scope)
 * by every tool by both organizations, through real MCP clients, with the effect checked in the
 * sandbox's state. Casdoor's rules as recorded (roles-crud-alice.json, orgs-get-organization.json, ...).
 */
describe.each(FAMILIES)('%s tools: the caller matrix', (family) => {
  let h: Harness;
  const clients: Record<string, Client> = {};
  let seq = 0;
  const plural = PLURAL[family];
  const reads = [`get_${plural}`, `get_${family}`];
  const writes = family === 'token' ? ['delete_token'] : [`update_${family}`, `add_${family}`, `delete_${family}`];

  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0', MCP_RATE_LIMIT_READS_PER_MINUTE: '0' });
    const scopes = `read:${family} write:${family}`;
    const userToken = (user: string) => h.sandbox.issueToken({ kind: 'user', user, scope: scopes, audience: [h.url] });
    const headers: Record<string, Record<string, string>> = {
      read: bearer(await h.token(`read:${family}`)),
      write: bearer(await h.token(`write:${family}`)),
      alias: bearer(await h.token(`${family}:read ${family}:write`)),
      admin: bearer(await h.token('admin')),
      readWrite: bearer(await h.token('read write')),
      otherFamily: bearer(await h.token('read:application write:application read:user write:user')),
      globalUser: bearer(await h.userToken('admin', '123', scopes)),
      orgAdmin: bearer(await userToken('acme/alice')),
      user: bearer(await userToken('acme/bob')),
      globalCookie: cookie(await h.sandbox.login('built-in', 'admin', '123')),
      orgCookie: cookie(await h.sandbox.login('acme', 'alice', 'alice-pass')),
    };
    for (const [who, hdrs] of Object.entries(headers)) clients[who] = await mcpClient(h, hdrs);
    if (family === 'token') for (const org of ['acme', 'globex'] as const) tokens[org] = await tokenOf(h, org);
  });
  afterAll(() => h.close());

  const tokens: Partial<Record<Org, string>> = {};
  const target = (org: Org): string => (family === 'token' ? tokens[org]! : FIXTURE[family][org]);

  async function argsFor(tool: string, org: Org, who: string): Promise<Json> {
    const name = `m-${who.toLowerCase()}-${org}-${++seq}`;
    if (tool === `get_${plural}`) return family === 'organization' ? {} : { [family === 'token' ? 'organization' : 'owner']: org };
    if (tool === `get_${family}`) return { id: target(org) };
    if (tool === `add_${family}`) return { [family]: family === 'organization' ? { name } : { owner: org, name, displayName: 'Matrix' } };
    if (tool === `update_${family}`) return { id: target(org), [family]: { displayName: `touched ${seq}` } };
    // Deleting the fixture would change later cases: delete a fresh copy, confirmed.
    const id = await copyOf(h, family, target(org), name, org);
    return { id, confirm: true, name: id.split('/')[1] };
  }

  const isRead = (tool: string) => reads.includes(tool);
  const publicRead = (tool: string) => tool === 'get_organizations' || tool === 'get_provider';
  const globalOnly = (tool: string) => tool === 'add_organization' || tool === 'delete_organization';
  const orgAdmin = (tool: string, org: Org): Want => (tool === 'get_organizations' ? 'ok' : globalOnly(tool) || org !== 'acme' ? 'forbidden' : 'ok');
  const matrix: Record<string, (tool: string, org: Org) => Want> = {
    read: (tool) => (isRead(tool) ? 'ok' : 'scope'),
    write: (tool) => (isRead(tool) ? 'scope' : 'ok'),
    alias: () => 'ok',
    admin: () => 'ok',
    readWrite: () => 'ok',
    otherFamily: () => 'scope',
    globalUser: () => 'ok',
    globalCookie: () => 'ok',
    orgAdmin,
    orgCookie: orgAdmin,
    // A plain user: only what Casdoor gives any signed-in user (their organization in the list, get-provider).
    user: (tool) => (publicRead(tool) ? 'ok' : 'forbidden'),
  };

  for (const [who, expected] of Object.entries(matrix)) {
    for (const org of ['acme', 'globex'] as const) {
      it(`${who} on ${org}: each tool is allowed or refused as Casdoor's rules say, and only allowed calls change Casdoor`, async () => {
        for (const tool of [...reads, ...writes]) {
          const want = expected(tool, org);
          const args = await argsFor(tool, org, who);
          const beforeApi = h.apiCalls();
          const before = args.id ? structuredClone(row(h, family, args.id)) : undefined;
          const result = clients[who]!.callTool({ name: tool, arguments: args });
          if (want === 'ok') {
            const r = await result;
            expect(r.isError, `${who} ${tool} ${org}: ${text(r)}`).toBeFalsy();
            if (tool.startsWith('delete_')) expect(row(h, family, args.id)).toBeUndefined();
            if (tool.startsWith('add_')) expect(row(h, family, structured(r)[family].owner + '/' + args[family].name)).toBeDefined();
            if (tool.startsWith('update_')) expect(row(h, family, args.id)!.displayName).toBe(args[family].displayName);
          } else {
            const err = await result.then(() => undefined, (e: unknown) => e);
            expect(err, `${who} ${tool} ${org} should be refused`).toBeDefined();
            expect(rpcCodeOf(err), `${who} ${tool} ${org}: ${String(err)}`).toBe(want === 'scope' ? -32001 : -32013);
            if (want === 'scope') expect(h.apiCalls()).toBe(beforeApi);
            if (want === 'forbidden') expect(String(err)).toMatch(/own_organization_only|admin_required|global_admin_required/);
            if (args.id) expect(row(h, family, args.id)).toEqual(before);
            if (tool.startsWith('add_')) {
              const owner = family === 'organization' ? 'admin' : org;
              expect(row(h, family, `${owner}/${args[family].name}`)).toBeUndefined();
            }
          }
        }
      });
    }
  }

  if (family !== 'organization') {
    it('an organization admin listing without a filter gets only her organization', async () => {
      const items = structured(await clients.orgAdmin!.callTool({ name: `get_${plural}`, arguments: { pageSize: 100 } }))[plural] as Json[];
      expect(items.length).toBeGreaterThan(0);
      const orgOf = (o: Json) => (family === 'token' ? o.organization : o.owner);
      // Global providers (owner "admin") are listed for every organization, as Casdoor does.
      expect(items.every((o) => orgOf(o) === 'acme' || (family === 'provider' && o.owner === 'admin'))).toBe(true);
    });
  }
});

describe('organization reads by callers who are not global administrators', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('an organization admin can neither delete nor create her own organization, only change it', async () => {
    const alice = await mcpClient(h, bearer(await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'admin', audience: [h.url] })));
    const before = structuredClone(h.sandbox.data.organizations.get('admin/acme'));
    const del = await alice.callTool({ name: 'delete_organization', arguments: { id: 'admin/acme', confirm: true, name: 'acme' } }).catch((e) => e);
    expect(rpcCodeOf(del)).toBe(-32013);
    expect(String(del)).toContain('global_admin_required');
    const add = await alice.callTool({ name: 'add_organization', arguments: { organization: { name: 'acme' } } }).catch((e) => e);
    expect(String(add)).toContain('global_admin_required');
    expect(h.sandbox.data.organizations.get('admin/acme')).toEqual(before);
    const r = await alice.callTool({ name: 'update_organization', arguments: { id: 'admin/acme', organization: { websiteUrl: 'https://acme.example.org' } } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(h.sandbox.data.organizations.get('admin/acme')!.websiteUrl).toBe('https://acme.example.org');
  });

  it('built-in can be neither deleted nor renamed', async () => {
    const admin = await mcpClient(h, bearer(await h.token('admin')));
    const del = await admin.callTool({ name: 'delete_organization', arguments: { id: 'admin/built-in', confirm: true, name: 'built-in' } });
    expect(del.isError).toBe(true);
    expect(text(del)).toMatch(/cannot be deleted/);
    const ren = await admin.callTool({ name: 'update_organization', arguments: { id: 'admin/built-in', organization: { name: 'renamed' } } });
    expect(ren.isError).toBe(true);
    expect(h.sandbox.data.organizations.has('admin/built-in')).toBe(true);
  });

  it('a plain user and an organization admin list exactly their own organization; a global admin all', async () => {
    const as = async (headers: Record<string, string>) =>
      (structured(await (await mcpClient(h, headers)).callTool({ name: 'get_organizations', arguments: {} })).organizations as Json[]).map((o) => o.name);
    const scope = 'read:organization';
    expect(await as(bearer(await h.sandbox.issueToken({ kind: 'user', user: 'acme/bob', scope, audience: [h.url] })))).toEqual(['acme']);
    expect(await as(bearer(await h.sandbox.issueToken({ kind: 'user', user: 'globex/carol', scope, audience: [h.url] })))).toEqual(['globex']);
    expect((await as(bearer(await h.token(scope)))).sort()).toEqual(['acme', 'built-in', 'globex']);
  });
});
