import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CompleteResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc, startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, type Json } from '../tools/helpers.js';

/** completion/complete for tool arguments, through a real MCP client, filtered as tools/call would be. */
describe('completions of tool arguments', () => {
  let h: Harness;
  const clients: Record<string, Client> = {};
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness();
    const user = (u: string, scope: string) => h.sandbox.issueToken({ kind: 'user', user: u, scope, audience: [h.url] });
    tokens.admin = await h.token('read');
    tokens.writer = await h.token('admin');
    tokens.appsOnly = await h.token('read:application');
    tokens.usersOnly = await h.token('read:user');
    tokens.alice = await user('acme/alice', 'admin');
    tokens.bob = await user('acme/bob', 'admin');
    for (const [who, token] of Object.entries(tokens)) clients[who] = await mcpClient(h, bearer(token));
  });
  afterAll(() => h.close());

  const suggest = async (who: string, tool: string, name: string, value = ''): Promise<string[]> => {
    const r = await clients[who]!.request(
      { method: 'completion/complete', params: { ref: { type: 'ref/tool', name: tool }, argument: { name, value } } } as never,
      CompleteResultSchema,
    );
    return [...r.completion.values].sort();
  };

  it('the server declares completions', () => {
    expect(clients.admin!.getServerCapabilities()?.completions).toEqual({});
  });

  it('offers a global administrator every organization name, by prefix', async () => {
    expect(await suggest('admin', 'get_roles', 'owner')).toEqual(['acme', 'built-in', 'globex']);
    expect(await suggest('admin', 'get_roles', 'owner', 'g')).toEqual(['globex']);
    expect(await suggest('admin', 'get_tokens', 'organization', 'a')).toEqual(['acme']);
  });

  it('offers object ids of the tool\'s family, narrowed by what is typed', async () => {
    expect(await suggest('admin', 'get_role', 'id', 'acme/')).toEqual(['acme/acme-admins', 'acme/acme-sales']);
    expect(await suggest('admin', 'get_organization', 'id')).toEqual(['admin/acme', 'admin/built-in', 'admin/globex']);
    expect(await suggest('admin', 'get_application', 'id', 'admin/acme')).toEqual(['admin/acme-api', 'admin/acme-portal']);
    expect(await suggest('admin', 'get_user', 'id', 'acme/')).toEqual(['acme/alice', 'acme/bob']);
  });

  it('an organization admin is offered only her organization and its objects (and the global providers to read)', async () => {
    expect(await suggest('alice', 'get_roles', 'owner')).toEqual(['acme']);
    expect(await suggest('alice', 'get_role', 'id')).toEqual(['acme/acme-admins', 'acme/acme-sales']);
    expect(await suggest('alice', 'get_group', 'id', 'globex/')).toEqual([]);
    expect(await suggest('alice', 'get_provider', 'id')).toEqual(['acme/acme-smtp', 'admin/provider_captcha_default', 'admin/provider_github']);
    expect(await suggest('alice', 'update_provider', 'id')).toEqual(['acme/acme-smtp']);
    expect(await suggest('writer', 'update_provider', 'id')).toContain('admin/provider_github');
  });

  it('nothing without the tool\'s scope, for plain users only their own, and nothing for anonymous callers', async () => {
    expect(await suggest('appsOnly', 'get_role', 'id')).toEqual([]);
    expect(await suggest('appsOnly', 'get_roles', 'owner')).toEqual([]);
    expect(await suggest('bob', 'get_role', 'id')).toEqual([]);
    expect(await suggest('bob', 'get_user', 'id')).toEqual(['acme/bob']);
    expect(await suggest('bob', 'get_organizations', 'owner')).toEqual(['acme']);
    const res = await h.post(rpc('completion/complete', { ref: { type: 'ref/tool', name: 'get_roles' }, argument: { name: 'owner', value: '' } }));
    const body = (await res.json()) as Json;
    expect(body.result?.completion?.values ?? []).toEqual([]);
  });

  describe('in the 2026-07-28 era', () => {
    const V = '2026-07-28';
    const META = { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': {} };
    /** The same request on the 2026 wire, raw (ref/tool is this server's extension, so no client sends it). */
    const suggest26 = async (who: string | undefined, ref: Json, name: string, value = ''): Promise<string[]> => {
      const auth: Record<string, string> = who ? { Authorization: `Bearer ${tokens[who]}` } : {};
      const res = await h.post(
        { jsonrpc: '2.0', id: 1, method: 'completion/complete', params: { ref, argument: { name, value }, _meta: META } },
        { 'MCP-Protocol-Version': V, 'Mcp-Method': 'completion/complete', ...auth },
      );
      const body = (await res.json()) as Json;
      expect(body.result, JSON.stringify(body)).toMatchObject({ resultType: 'complete' });
      return [...body.result.completion.values].sort();
    };
    const tool = (name: string) => ({ type: 'ref/tool', name });

    it('answers as in the 2025 era, filtered by the same decision', async () => {
      expect(await suggest26('admin', tool('get_roles'), 'owner')).toEqual(['acme', 'built-in', 'globex']);
      expect(await suggest26('admin', tool('get_user'), 'id', 'acme/')).toEqual(['acme/alice', 'acme/bob']);
      expect(await suggest26('alice', tool('get_role'), 'id')).toEqual(['acme/acme-admins', 'acme/acme-sales']);
      expect(await suggest26('alice', tool('get_group'), 'id', 'globex/')).toEqual([]);
      expect(await suggest26('appsOnly', tool('get_role'), 'id')).toEqual([]);
      expect(await suggest26('bob', tool('get_user'), 'id')).toEqual(['acme/bob']);
      expect(await suggest26(undefined, tool('get_roles'), 'owner')).toEqual([]);
    });

    it('completes prompt arguments as the tool argument they stand for, only for a caller offered the prompt (v2 client)', async () => {
      const connect = async (who: string) => {
        const c = new ModernClient({ name: 'tests-2026', version: '0' }, { versionNegotiation: { mode: { pin: V } } });
        await c.connect(new ModernTransport(new URL(h.url), { requestInit: { headers: { Authorization: `Bearer ${tokens[who]}` } } }));
        return c;
      };
      const prompt = async (who: string, name: string, argument: string, value = '') => {
        const c = await connect(who);
        try {
          return [...(await c.complete({ ref: { type: 'ref/prompt', name }, argument: { name: argument, value } })).completion.values].sort();
        } finally {
          await c.close();
        }
      };
      expect(await prompt('alice', 'offboard_user', 'id', 'acme/a')).toEqual(['acme/alice']);
      expect(await prompt('alice', 'offboard_user', 'id', 'globex/')).toEqual([]);
      expect(await prompt('admin', 'audit_admins', 'organization', 'g')).toEqual(['globex']);
      // read:application is not offered offboard_user (no user or token tools): nothing.
      expect(await prompt('appsOnly', 'offboard_user', 'id', 'acme/')).toEqual([]);
      expect(await prompt('appsOnly', 'review_application_oauth', 'id', 'admin/acme')).toEqual(['admin/acme-api', 'admin/acme-portal']);
      // read:user may read users, but offboarding also needs update_user and the token tools: not offered, so nothing.
      expect(await prompt('usersOnly', 'offboard_user', 'id', 'acme/')).toEqual([]);
      expect(await prompt('usersOnly', 'audit_admins', 'organization', 'a')).toEqual(['acme']);
    });
  });
});
