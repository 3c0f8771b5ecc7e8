import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CompleteResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc, startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, type Json } from '../tools/helpers.js';

/** completion/complete for tool arguments, through a real MCP client, filtered as tools/call would be. */
describe('completions of tool arguments', () => {
  let h: Harness;
  const clients: Record<string, Client> = {};

  beforeAll(async () => {
    h = await startHarness();
    const user = (u: string, scope: string) => h.sandbox.issueToken({ kind: 'user', user: u, scope, audience: [h.url] });
    clients.admin = await mcpClient(h, bearer(await h.token('read')));
    clients.writer = await mcpClient(h, bearer(await h.token('admin')));
    clients.appsOnly = await mcpClient(h, bearer(await h.token('read:application')));
    clients.alice = await mcpClient(h, bearer(await user('acme/alice', 'admin')));
    clients.bob = await mcpClient(h, bearer(await user('acme/bob', 'admin')));
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
});
