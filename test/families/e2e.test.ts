import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, rpcCodeOf, structured, text, type ElicitHandler, type Json } from '../tools/helpers.js';
import { row, rows } from './support.js';

const accept: ElicitHandler = async () => ({ action: 'accept', content: { confirm: true } });

/** Each family end to end through a real MCP client (SDK Client over HTTP), checked in the sandbox's state. */
describe('every family through a real MCP client', () => {
  let h: Harness;
  let admin: Client;
  let asking: Client;
  let alice: Client;

  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0', MCP_IDENTITY_CACHE_SECONDS: '0' });
    // Separate tokens: the server remembers per credential whether its client can be asked.
    admin = await mcpClient(h, bearer(await h.token('admin')));
    asking = await mcpClient(h, bearer(await h.token('admin')), accept);
    alice = await mcpClient(h, bearer(await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'admin', audience: [h.url] })));
  });
  afterAll(() => h.close());

  const call = async (client: Client, name: string, args: Json): Promise<Json> => {
    const r = await client.callTool({ name, arguments: args });
    expect(r.isError, `${name}: ${text(r)}`).toBeFalsy();
    return structured(r);
  };

  it('organizations: create, read, list, change and delete', async () => {
    const created = await call(admin, 'add_organization', { organization: { name: 'initech', displayName: 'Initech', websiteUrl: 'https://initech.example' } });
    expect(created.organization).toMatchObject({ owner: 'admin', name: 'initech', displayName: 'Initech', passwordType: 'bcrypt' });
    expect(row(h, 'organization', 'admin/initech')).toMatchObject({ displayName: 'Initech', websiteUrl: 'https://initech.example' });
    expect((await call(admin, 'get_organization', { id: 'admin/initech' })).organization.websiteUrl).toBe('https://initech.example');
    const list = await call(admin, 'get_organizations', { pageSize: 100 });
    expect(list.organizations.map((o: Json) => o.name)).toContain('initech');
    expect(Object.keys(list.organizations[0]).sort()).toEqual(['createdTime', 'defaultApplication', 'displayName', 'name', 'owner', 'websiteUrl']);
    const changed = await call(admin, 'update_organization', { id: 'admin/initech', organization: { masterPassword: 'hunter2-master' } });
    expect(changed.changes).toEqual([{ field: 'masterPassword', old: '(secret)', new: '(changed)' }]);
    expect(JSON.stringify(changed)).not.toContain('hunter2-master');
    expect(row(h, 'organization', 'admin/initech')!.masterPassword).toBe('hunter2-master');
    const gone = await call(asking, 'delete_organization', { id: 'admin/initech' });
    expect(gone).toMatchObject({ deleted: true, id: 'admin/initech' });
    expect(row(h, 'organization', 'admin/initech')).toBeUndefined();
  });

  it('roles: members set by partial update, the rest kept', async () => {
    await call(alice, 'add_role', { role: { owner: 'acme', name: 'auditors', description: 'Read-only auditors' } });
    expect(row(h, 'role', 'acme/auditors')).toMatchObject({ users: [], groups: [], roles: [], isEnabled: true, description: 'Read-only auditors' });
    await call(alice, 'update_role', { id: 'acme/auditors', role: { users: ['acme/bob'], roles: ['acme/acme-sales'] } });
    expect(row(h, 'role', 'acme/auditors')).toMatchObject({ users: ['acme/bob'], roles: ['acme/acme-sales'], description: 'Read-only auditors', displayName: 'auditors' });
    const roles = (await call(alice, 'get_roles', { fields: ['description'] })).roles as Json[];
    expect(roles.find((r) => r.name === 'auditors')).toEqual({ owner: 'acme', name: 'auditors', description: 'Read-only auditors' });
    const preview = await call(alice, 'delete_role', { id: 'acme/auditors' });
    expect(preview.deleted).toBe(false);
    expect(row(h, 'role', 'acme/auditors')).toBeDefined();
    await call(alice, 'delete_role', { id: 'acme/auditors', confirm: true, name: 'auditors' });
    expect(row(h, 'role', 'acme/auditors')).toBeUndefined();
  });

  it('permissions: grant to a role, change the actions, withdraw', async () => {
    const p = await call(admin, 'add_permission', {
      permission: { owner: 'acme', name: 'api-write', roles: ['acme/acme-admins'], resources: ['acme-api'], actions: ['Write'] },
    });
    expect(p.permission).toMatchObject({ resourceType: 'Application', effect: 'Allow', isEnabled: true, state: 'Approved' });
    const dry = await call(admin, 'update_permission', { id: 'acme/api-write', permission: { actions: ['Read', 'Write'] }, dry_run: true });
    expect(dry.dryRun).toBe(true);
    expect(row(h, 'permission', 'acme/api-write')!.actions).toEqual(['Write']);
    await call(admin, 'update_permission', { id: 'acme/api-write', permission: { actions: ['Read', 'Write'] } });
    expect(row(h, 'permission', 'acme/api-write')).toMatchObject({ actions: ['Read', 'Write'], roles: ['acme/acme-admins'], resources: ['acme-api'] });
    await call(asking, 'delete_permission', { id: 'acme/api-write' });
    expect(row(h, 'permission', 'acme/api-write')).toBeUndefined();
  });

  it('providers: secrets masked for organization admins, never echoed by writes, "***" refused', async () => {
    const stored = row(h, 'provider', 'acme/acme-smtp')!;
    const seen = (await call(alice, 'get_provider', { id: 'acme/acme-smtp' })).provider;
    expect(seen.clientSecret).toBe('***');
    expect(JSON.stringify(seen)).not.toContain(stored.clientSecret);
    const global = (await call(alice, 'get_provider', { id: 'admin/provider_github' })).provider;
    expect(global.clientSecret).toBe('***');
    expect((await call(admin, 'get_provider', { id: 'acme/acme-smtp' })).provider.clientSecret).toBe(stored.clientSecret);
    const full = (await call(alice, 'get_providers', { full: true })).providers as Json[];
    expect(full.map((p) => p.name).sort()).toEqual(['acme-smtp', 'provider_captcha_default', 'provider_github']);
    expect(JSON.stringify(full)).not.toMatch(/smtp-password-acme|gh-secret/);
    // Rotating a secret: the new one is stored, and shown nowhere.
    const rotated = await call(alice, 'update_provider', { id: 'acme/acme-smtp', provider: { clientSecret: 'rotated-secret-1' } });
    expect(rotated.changes).toEqual([{ field: 'clientSecret', old: '(secret)', new: '(changed)' }]);
    expect(rotated.provider.clientSecret).toBe('(set)');
    expect(JSON.stringify(rotated)).not.toContain('rotated-secret-1');
    expect(row(h, 'provider', 'acme/acme-smtp')).toMatchObject({ clientSecret: 'rotated-secret-1', host: 'smtp.acme.example.com', port: 587 });
    const masked = await alice.callTool({ name: 'update_provider', arguments: { id: 'acme/acme-smtp', provider: { clientSecret: '***' } } });
    expect(masked.isError).toBe(true);
    expect(row(h, 'provider', 'acme/acme-smtp')!.clientSecret).toBe('rotated-secret-1');
    // A global provider is only the global admins' to change.
    const refused = await alice.callTool({ name: 'update_provider', arguments: { id: 'admin/provider_github', provider: { displayName: 'x' } } }).catch((e) => e);
    expect(rpcCodeOf(refused)).toBe(-32013);
    const added = await call(admin, 'add_provider', { provider: { owner: 'acme', name: 'acme-gh', category: 'OAuth', type: 'GitHub', clientId: 'id1', clientSecret: 'added-secret' } });
    expect(JSON.stringify(added)).not.toContain('added-secret');
    expect(row(h, 'provider', 'acme/acme-gh')!.clientSecret).toBe('added-secret');
  });

  it('tokens: values never shown; revoking stops the token at once', async () => {
    const victim = await h.sandbox.issueToken({ kind: 'user', user: 'acme/bob', scope: 'read:organization', audience: [h.url] });
    const bob = await mcpClient(h, bearer(victim));
    expect((await bob.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy();
    const list = (await call(admin, 'get_tokens', { organization: 'acme', full: true, pageSize: 100 })).tokens as Json[];
    const mine = list.find((t) => t.user === 'bob')!;
    expect(mine).toBeDefined();
    const stored = rows(h, 'token');
    const all = JSON.stringify([list, (await call(admin, 'get_token', { id: `admin/${mine.name}` })).token]);
    for (const t of stored) {
      expect(all).not.toContain(t.accessToken);
      if (t.refreshToken) expect(all).not.toContain(t.refreshToken);
    }
    const revoked = await call(admin, 'delete_token', { id: `admin/${mine.name}`, confirm: true, name: mine.name });
    expect(revoked, JSON.stringify([revoked, rows(h, 'token').map((t) => [t.name, t.user])])).toMatchObject({ deleted: true });
    expect(row(h, 'token', `admin/${mine.name}`)).toBeUndefined();
    const res = await h.post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, bearer(victim));
    expect(res.status).toBe(401);
  });

  it('groups: create under a parent, rename, delete', async () => {
    await call(alice, 'add_group', { group: { owner: 'acme', name: 'field-sales', parentId: 'sales-team', isTopGroup: false } });
    expect(row(h, 'group', 'acme/field-sales')).toMatchObject({ parentId: 'sales-team', isTopGroup: false, type: 'Virtual', isEnabled: true });
    const blocked = await alice.callTool({ name: 'delete_group', arguments: { id: 'acme/sales-team', confirm: true, name: 'sales-team' } });
    expect(blocked.isError).toBe(true);
    expect(text(blocked)).toContain('group has children group');
    await call(alice, 'update_group', { id: 'acme/field-sales', group: { name: 'field-sales-eu' } });
    expect(row(h, 'group', 'acme/field-sales-eu')).toBeDefined();
    await call(alice, 'delete_group', { id: 'acme/field-sales-eu', confirm: true, name: 'field-sales-eu' });
    expect(row(h, 'group', 'acme/field-sales-eu')).toBeUndefined();
  });
});
