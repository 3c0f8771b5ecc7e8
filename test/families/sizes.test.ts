import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc, startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, structured, type Json } from '../tools/helpers.js';

/** Results sized for an agent: a default page of 20 applications stays small; full and fields still work. */
describe('list results sized for an agent', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    const base = h.sandbox.data.applications.get('admin/acme-portal')!;
    for (let i = h.sandbox.data.applications.count(); i < 20; i++) {
      h.sandbox.data.applications.put({ ...structuredClone(base), name: `extra-app-${i}`, clientId: `c${i}`.padEnd(20, '0'), displayName: `Extra application ${i}` });
    }
  });
  afterAll(() => h.close());

  // Issue 14 asks for at most 64 KB with every tool. Measured: 82,161 bytes before the schemas were
  // trimmed, 75,849 after, and below this once the update tools point to their add tool's fields
  // instead of repeating them (docs/tools.md, "Sizes").
  const TOOLS_LIST_BUDGET = 64_000;
  it(`tools/list with every tool (anonymous) is at most ${TOOLS_LIST_BUDGET} bytes of JSON-RPC result`, async () => {
    const body = (await (await h.post(rpc('tools/list'))).json()) as { result: { tools: Json[] } };
    expect(body.result.tools.length).toBe(39);
    expect(Buffer.byteLength(JSON.stringify(body.result))).toBeLessThanOrEqual(TOOLS_LIST_BUDGET);
  });

  it('an update tool points to its add tool\'s fields when both are listed, and still refuses a wrongly typed field', async () => {
    const body = (await (await h.post(rpc('tools/list'))).json()) as { result: { tools: Json[] } };
    const update = body.result.tools.find((t) => t.name === 'update_application') as { inputSchema: { properties: Record<string, Json> } };
    expect(update.inputSchema.properties.application).toMatchObject({ type: 'object' });
    expect(update.inputSchema.properties.application!.properties).toBeUndefined();
    expect(String(update.inputSchema.properties.application!.description)).toMatch(/^Any of add_application's application fields except owner/);
    const c = await mcpClient(h, bearer(await h.token('write:application')));
    const r = await c.callTool({ name: 'update_application', arguments: { id: 'admin/acme-portal', application: { enablePassword: 'yes' } } }).catch((e: Error) => e);
    expect(String(r instanceof Error ? r.message : JSON.stringify(r))).toMatch(/enablePassword/);
  });

  it('get_applications for 20 applications is at most 8 KB by default, text and structured content together', async () => {
    const c = await mcpClient(h, bearer(await h.token('read:application')));
    const r = await c.callTool({ name: 'get_applications', arguments: { pageSize: 20 } });
    const apps = structured(r).applications as Json[];
    expect(apps).toHaveLength(20);
    expect(Object.keys(apps[0]!).sort()).toEqual(['clientId', 'createdTime', 'displayName', 'name', 'organization', 'owner']);
    expect(JSON.stringify(r).length).toBeLessThanOrEqual(8 * 1024);
    const full = await c.callTool({ name: 'get_applications', arguments: { pageSize: 20, full: true } });
    expect(Object.keys((structured(full).applications as Json[])[0]!).length).toBeGreaterThan(80);
    const picked = await c.callTool({ name: 'get_applications', arguments: { pageSize: 2, fields: ['grantTypes'] } });
    expect(Object.keys((structured(picked).applications as Json[])[0]!).sort()).toEqual(['grantTypes', 'name', 'organization', 'owner']);
    const wrong = await c.callTool({ name: 'get_applications', arguments: { fields: ['grantTypez'] } });
    expect(wrong.isError).toBe(true);
  });
});
