import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createOperatorPolicy } from '../../src/ops/operator-policy.js';
import { TOOLS } from '../../src/tools/index.js';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, structured, type Json } from '../tools/helpers.js';

const names = TOOLS.map((t) => t.name);

describe('MCP_TOOLSETS: only some families, on top of MCP_TOOLS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MCP_TOOLSETS: 'applications,roles', MCP_ALLOWED_ORGANIZATIONS: 'acme' });
  });
  afterAll(() => h.close());

  it('lists whoami and the tools of the named families only, to every caller', async () => {
    const want = ['whoami', ...names.filter((n) => /_applications?$|_roles?$/.test(n))];
    for (const headers of [{}, bearer(await h.token('admin'))]) {
      const body = (await (await h.post(rpc('tools/list'), headers)).json()) as Json;
      expect(body.result.tools.map((t: Json) => t.name)).toEqual(want);
    }
  });

  it('refuses a tool of another family as disabled, before Casdoor is asked', async () => {
    const headers = bearer(await h.token('admin'));
    await h.post(call('whoami', {}), headers); // resolves the token at Casdoor once
    const before = h.apiCalls();
    const res = await h.post(call('get_users', { owner: 'acme' }), headers);
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).error.data.rule).toBe('disabled_by_operator');
    expect(h.apiCalls()).toBe(before);
  });

  it('narrows the new families to the allowed organizations too', async () => {
    const admin = await mcpClient(h, bearer(await h.token('admin')));
    const roles = structured(await admin.callTool({ name: 'get_roles', arguments: {} })).roles as Json[];
    expect(roles.length).toBeGreaterThan(0);
    expect(roles.every((r) => r.owner === 'acme')).toBe(true);
    const other = await admin.callTool({ name: 'get_role', arguments: { id: 'globex/globex-ops' } }).catch((e) => e);
    expect(String(other)).toContain('organization_not_allowed');
  });
});

describe('tools/list per scope', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const listed = async (headers: Record<string, string>): Promise<string[]> =>
    ((await (await h.post(rpc('tools/list'), headers)).json()) as Json).result.tools.map((t: Json) => t.name);

  it('a read:role token sees exactly whoami and the role read tools; anonymous callers every tool', async () => {
    expect(await listed(bearer(await h.token('read:role')))).toEqual(['whoami', 'get_roles', 'get_role']);
    expect(await listed(bearer(await h.token('role:write')))).toEqual(['whoami', 'add_role', 'update_role', 'delete_role']);
    expect(await listed(bearer(await h.token('write:token')))).toEqual(['whoami', 'delete_token']);
    expect(await listed({})).toEqual(names);
    expect(names).toHaveLength(39);
  });
});

describe('MCP_TOOLSETS configuration', () => {
  it('an unknown toolset stops the server at start, naming the known ones', () => {
    const config = loadConfig({ MCP_TOOLSETS: 'roles,rolez' });
    expect(() => createOperatorPolicy(config.operator, names)).toThrow(/unknown toolset rolez; known: applications, users, organizations, roles/);
  });

  it('a tool must pass both MCP_TOOLS and MCP_TOOLSETS', () => {
    const policy = createOperatorPolicy(loadConfig({ MCP_TOOLS: 'whoami,get_roles,get_users', MCP_TOOLSETS: 'roles' }).operator, names);
    const offered = TOOLS.filter((t) => !policy.disabledReason(t)).map((t) => t.name);
    expect(offered).toEqual(['whoami', 'get_roles']);
  });
});
