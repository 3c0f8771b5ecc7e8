import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
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
