import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;
const structured = (r: unknown) => (r as { structuredContent: Json }).structuredContent;
const text = (r: unknown) => ((r as { content: { text: string }[] }).content[0]!.text);

describe('the application tools through a real MCP client against the sandbox', () => {
  let h: Harness;
  let client: Client;

  beforeAll(async () => {
    h = await startHarness();
    const token = await h.token('read:application write:application');
    client = await h.client({ Authorization: `Bearer ${token}` });
  });
  afterAll(() => h.close());

  it('negotiates the latest protocol and lists the five tools, plus whoami (which needs no scope)', async () => {
    expect(client.getServerVersion()?.name).toBe('casdoor-mcp');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['whoami', 'get_applications', 'get_application', 'add_application', 'update_application', 'delete_application']);
  });

  it('get_applications pages through every application with the total', async () => {
    const stored = h.sandbox.data.applications.list();
    const first = structured(await client.callTool({ name: 'get_applications', arguments: { page: 1, pageSize: 2 } }));
    expect(first.total).toBe(stored.length);
    expect(first.applications).toHaveLength(2);
    expect(first.hasMore).toBe(true);
    const all = structured(await client.callTool({ name: 'get_applications', arguments: { pageSize: 100 } }));
    expect(all.applications.map((a: Json) => a.name).sort()).toEqual(stored.map((a: Json) => a.name).sort());
    // The text content carries the same JSON, for clients that read only text.
    const r = await client.callTool({ name: 'get_applications', arguments: { pageSize: 100 } });
    expect(JSON.parse(text(r))).toEqual(structured(r));
  });

  it('get_applications filters by organization and returns [] (never null) for an empty one', async () => {
    const acme = structured(await client.callTool({ name: 'get_applications', arguments: { organization: 'acme' } }));
    expect(acme.applications.length).toBeGreaterThan(0);
    expect(acme.applications.every((a: Json) => a.organization === 'acme')).toBe(true);
    expect(acme.total).toBe(h.sandbox.data.applications.list().filter((a: Json) => a.organization === 'acme').length);
    const none = structured(await client.callTool({ name: 'get_applications', arguments: { organization: 'no-such-org' } }));
    expect(none).toMatchObject({ applications: [], total: 0, hasMore: false });
  });

  it('get_application returns the stored application, with secrets for an application caller', async () => {
    const r = structured(await client.callTool({ name: 'get_application', arguments: { id: 'admin/acme-portal' } }));
    const stored = h.sandbox.data.applications.get('admin/acme-portal') as Json;
    expect(r.application.name).toBe('acme-portal');
    expect(r.application.clientId).toBe(stored.clientId);
    expect(r.application.clientSecret).toBe(stored.clientSecret);
    expect(r.application).not.toHaveProperty('organizationObj');
  });

  it('get_application of an unknown id is a clear tool error, not "null"', async () => {
    const r = await client.callTool({ name: 'get_application', arguments: { id: 'admin/x' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('application admin/x not found');
  });

  it('add_application creates it in Casdoor with the UI defaults and returns its clientId', async () => {
    const r = structured(await client.callTool({ name: 'add_application', arguments: { application: { name: 'e2e-new', organization: 'acme' } } }));
    const stored = h.sandbox.data.applications.get('admin/e2e-new') as Json;
    expect(stored).toBeDefined();
    expect(stored.organization).toBe('acme');
    expect(stored.expireInHours).toBe(168);
    expect(stored.grantTypes).toEqual(['authorization_code']);
    expect(r.application.clientId).toBe(stored.clientId);
    expect(r.application.clientId).toMatch(/^[0-9a-f]{20,}$/);
  });

  it('add_application refuses an organization that does not exist, and a taken name', async () => {
    const missing = await client.callTool({ name: 'add_application', arguments: { application: { name: 'e2e-x', organization: 'nope' } } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain("organization 'nope' does not exist");
    expect(h.sandbox.data.applications.has('admin/e2e-x')).toBe(false);
    const taken = await client.callTool({ name: 'add_application', arguments: { application: { name: 'acme-portal', organization: 'acme' } } });
    expect(taken.isError).toBe(true);
    expect(text(taken)).toContain('already taken');
  });

  it('update_application changes only the named fields and reports them', async () => {
    const before = structuredClone(h.sandbox.data.applications.get('admin/acme-api') as Json);
    const r = structured(
      await client.callTool({ name: 'update_application', arguments: { id: 'admin/acme-api', application: { displayName: 'Acme API v2', expireInHours: 2 } } }),
    );
    expect(r.changes).toEqual([
      { field: 'displayName', old: before.displayName, new: 'Acme API v2' },
      { field: 'expireInHours', old: before.expireInHours, new: 2 },
    ]);
    const after = h.sandbox.data.applications.get('admin/acme-api') as Json;
    expect({ ...after, displayName: before.displayName, expireInHours: before.expireInHours }).toEqual(before);
  });

  it('update_application renames', async () => {
    await client.callTool({ name: 'add_application', arguments: { application: { name: 'e2e-rename-me', organization: 'globex' } } });
    const r = structured(await client.callTool({ name: 'update_application', arguments: { id: 'admin/e2e-rename-me', application: { name: 'e2e-renamed' } } }));
    expect(r.id).toBe('admin/e2e-renamed');
    expect(h.sandbox.data.applications.has('admin/e2e-rename-me')).toBe(false);
    expect((h.sandbox.data.applications.get('admin/e2e-renamed') as Json).organization).toBe('globex');
  });

  // Changed on purpose (issue 4): delete needs confirm + the name repeated when the client cannot be asked.
  it('delete_application deletes it from Casdoor once confirmed', async () => {
    await client.callTool({ name: 'add_application', arguments: { application: { name: 'e2e-doomed', organization: 'acme' } } });
    expect(h.sandbox.data.applications.has('admin/e2e-doomed')).toBe(true);
    const r = structured(await client.callTool({ name: 'delete_application', arguments: { id: 'admin/e2e-doomed', confirm: true, name: 'e2e-doomed' } }));
    expect(r).toEqual({ deleted: true, id: 'admin/e2e-doomed', organization: 'acme' });
    expect(h.sandbox.data.applications.has('admin/e2e-doomed')).toBe(false);
    const again = await client.callTool({ name: 'delete_application', arguments: { id: 'admin/e2e-doomed', confirm: true, name: 'e2e-doomed' } });
    expect(again.isError).toBe(true);
    expect(text(again)).toContain('not found');
  });

  it('delete_application refuses app-built-in without calling Casdoor', async () => {
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    const r = await client.callTool({ name: 'delete_application', arguments: { id: 'admin/app-built-in', confirm: true, name: 'app-built-in' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('cannot be deleted');
    expect(h.apiCalls()).toBe(beforeApi);
    expect(h.sandbox.data.applications.has('admin/app-built-in')).toBe(true);
  });

  it('refuses an undeclared argument with -32602 naming the field, before Casdoor', async () => {
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    await expect(client.callTool({ name: 'get_application', arguments: { id: 'admin/app-built-in', owner: 'evil' } })).rejects.toThrow(/-32602.*"owner"/);
    expect(h.apiCalls()).toBe(beforeApi);
  });
});
