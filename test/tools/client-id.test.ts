// Application principals only from trusted clients, and no application given a client id this
// server accepts as an audience or trusts (issue 10, build item 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const TRUSTED = 'ci-bot-client-id';

describe('client ids', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MCP_TRUSTED_CLIENTS: TRUSTED, MCP_ALLOWED_AUDIENCES: 'https://mcp.example.com/mcp' });
    // The operator's automation application (acme-api, client_credentials), with the client id they trusted.
    h.sandbox.data.applications.get('admin/acme-api')!.clientId = TRUSTED;
  });
  afterAll(() => h.close());

  it('a trusted client acts as an application under its own name, in whoami and the audit log', async () => {
    const app = h.sandbox.data.applications.get('admin/acme-api')!;
    const res = await fetch(h.sandbox.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: TRUSTED, client_secret: app.clientSecret }),
    });
    const token = ((await res.json()) as Json).access_token as string;
    const client = await h.client({ ...bearer(token), 'X-Request-Id': 'trusted-client' });
    const me = (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as Json;
    expect(me.principal).toMatchObject({ type: 'application', id: 'admin/acme-api', name: 'acme-api' });
    const line = h.logs.find((l) => l.audit && l.requestId === 'trusted-client');
    expect(line?.caller).toMatchObject({ subject: 'admin/acme-api', clientId: TRUSTED });
  });

  it('add_application and update_application refuse a reserved clientId, and only global admins set one', async () => {
    const admin = await h.client(bearer(await h.token('admin')));
    const before = h.sandbox.requests.length;
    for (const clientId of [h.url, `${h.url}/`, 'https://mcp.example.com/mcp', h.sandbox.demo.clientId, TRUSTED]) {
      await expect(admin.callTool({ name: 'add_application', arguments: { application: { name: 'mimic', organization: 'acme', clientId } } }))
        .rejects.toThrow(/client_id_reserved/);
      await expect(admin.callTool({ name: 'update_application', arguments: { id: 'admin/acme-portal', application: { clientId } } }))
        .rejects.toThrow(/client_id_reserved/);
    }
    const alice = await h.client(bearer(await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'admin', audience: [h.url] })));
    await expect(alice.callTool({ name: 'add_application', arguments: { application: { name: 'mine', organization: 'acme', clientId: 'any-value' } } }))
      .rejects.toThrow(/client_id_global_admin_only/);
    await expect(alice.callTool({ name: 'update_application', arguments: { id: 'admin/acme-portal', application: { clientId: 'any-value' } } }))
      .rejects.toThrow(/client_id_global_admin_only/);
    expect(h.sandbox.requests.slice(before).filter((r) => /^\/api\/(add|update|delete)-/.test(r.path))).toEqual([]);
    // Without a clientId the organization admin can still add an application (Casdoor generates one).
    const made = await alice.callTool({ name: 'add_application', arguments: { application: { name: 'alice-app', organization: 'acme' } } });
    expect(made.isError).toBeFalsy();
  });
});
