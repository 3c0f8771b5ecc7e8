// Defects 1 and 2 of issue 12: real Casdoor answers null for lists it was never given (a scope without
// tools reads "tools": null, app-built-in has grantTypes null), and prompts written for Casdoor's own
// /api/mcp send its call shapes. Both were refused with -32602.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, structured, text, type Json } from '../tools/helpers.js';

let h: Harness;
let admin: Client;
beforeAll(async () => {
  h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
  admin = await mcpClient(h, bearer(await h.token('read:application write:application read:user write:user')));
});
afterAll(() => h?.close());

const call = (name: string, args: Json) => admin.callTool({ name, arguments: args });

describe('null where Casdoor answers null (defect 1)', () => {
  it('a scope list read with "tools": null is written back with one more scope', async () => {
    const stored = h.sandbox.data.applications.get('admin/acme-portal')!;
    stored.scopes = [{ name: 'profile', displayName: 'Profile', description: '', tools: null }];
    const read = structured(await call('get_application', { id: 'admin/acme-portal' })).application as Json;
    expect(read.scopes).toEqual([{ name: 'profile', displayName: 'Profile', description: '', tools: null }]);
    const scopes = [...read.scopes, { name: 'read:application', displayName: 'Read', description: 'Read apps', tools: ['get_application'] }];
    const r = await call('update_application', { id: 'admin/acme-portal', application: { scopes } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(h.sandbox.data.applications.get('admin/acme-portal')!.scopes).toHaveLength(2);
  });

  it('app-built-in as read (grantTypes, customScopes null; refreshExpireInHours 0) goes back unchanged', async () => {
    const read = structured(await call('get_application', { id: 'admin/app-built-in' })).application as Json;
    expect(read.grantTypes).toBeNull();
    expect(read.refreshExpireInHours).toBe(0);
    const r = await call('update_application', { id: 'admin/app-built-in', application: { ...read, description: 'edited' } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(structured(r).changes).toEqual([{ field: 'description', old: '', new: 'edited' }]);
  });
});

describe('Casdoor\'s call shapes (defect 2)', () => {
  it('add_application with owner "admin" inside application', async () => {
    const r = await call('add_application', { application: { owner: 'admin', name: 'shaped-1', organization: 'acme' } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(h.sandbox.data.applications.has('admin/shaped-1')).toBe(true);
  });

  it('update_application fed with the object get_application returned: only the changed field is written', async () => {
    const read = structured(await call('get_application', { id: 'admin/shaped-1' })).application as Json;
    expect(read.owner).toBe('admin');
    const r = await call('update_application', { id: 'admin/shaped-1', application: { ...read, description: 'as Casdoor would send it' } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(structured(r).changes.map((c: Json) => c.field)).toEqual(['description']);
    const moved = await call('update_application', { id: 'admin/shaped-1', application: { ...read, owner: 'acme' } });
    expect(moved.isError).toBe(true);
    expect(text(moved)).toContain('"owner" cannot be changed here (read-only)');
  });

  it('delete_application {application: {owner, name, organization}} under the same confirmation rule', async () => {
    const application = { owner: 'admin', name: 'shaped-1', organization: 'acme' };
    const preview = structured(await call('delete_application', { application }));
    expect(preview).toMatchObject({ deleted: false, howToConfirm: expect.any(String) });
    expect(h.sandbox.data.applications.has('admin/shaped-1')).toBe(true);
    const wrongOrg = await call('delete_application', { application: { ...application, organization: 'globex' }, confirm: true, name: 'shaped-1' });
    expect(wrongOrg.isError).toBe(true);
    const done = structured(await call('delete_application', { application, confirm: true, name: 'shaped-1' }));
    expect(done).toMatchObject({ deleted: true, id: 'admin/shaped-1' });
  });

  it('update_user {id, user: {owner, ...}} with the user as read, and delete_user {user: {...}}', async () => {
    await call('add_user', { user: { owner: 'acme', name: 'shaped-u' } });
    const read = structured(await call('get_user', { id: 'acme/shaped-u' })).user as Json;
    const r = await call('update_user', { id: 'acme/shaped-u', user: { ...read, displayName: 'Shaped' } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(structured(r).changes).toEqual([{ field: 'displayName', old: 'shaped-u', new: 'Shaped' }]);
    const preview = structured(await call('delete_user', { user: { owner: 'acme', name: 'shaped-u' } }));
    expect(preview.deleted).toBe(false);
    const done = structured(await call('delete_user', { user: { ...read }, confirm: true, name: 'shaped-u' }));
    expect(done).toMatchObject({ deleted: true, id: 'acme/shaped-u' });
    expect(h.sandbox.data.users.has('acme/shaped-u')).toBe(false);
  });
});
