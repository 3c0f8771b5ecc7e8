// Defects 5, 9, 10, 11, 13 and 14 of issue 12, through a real MCP client.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, structured, text, type Json } from '../tools/helpers.js';

const ALL = 'read:application write:application read:user write:user';
let h: Harness;
let admin: Client;
let alice: Client; // admin of organization acme: may not see secrets
beforeAll(async () => {
  h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
  admin = await mcpClient(h, bearer(await h.token(ALL)));
  alice = await mcpClient(h, bearer(await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: ALL, audience: [h.url] })));
});
afterAll(() => h?.close());

const call = (c: Client, name: string, args: Json) => c.callTool({ name, arguments: args });

describe('createdTime (defect 5)', () => {
  it('add_application sets it, so the new application comes first in the newest-first list', async () => {
    const r = await call(admin, 'add_application', { application: { name: 'fresh-app', organization: 'acme' } });
    expect(r.isError, text(r)).toBeFalsy();
    const created = String(h.sandbox.data.applications.get('admin/fresh-app')!.createdTime);
    expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Date.parse(created) - Date.now())).toBeLessThan(60_000);
    const first = structured(await call(admin, 'get_applications', { pageSize: 1 })).applications as Json[];
    expect(first[0]!.name).toBe('fresh-app');
  });
});

describe('write results carry no secret (defect 9)', () => {
  it('update_application changing clientSecret reports it changed and shows no value', async () => {
    const r = await call(admin, 'update_application', { id: 'admin/fresh-app', application: { clientSecret: 'new-secret-value-123' } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(structured(r).changes).toEqual([{ field: 'clientSecret', old: '(secret)', new: '(changed)' }]);
    expect(JSON.stringify(r)).not.toContain('new-secret-value-123');
    expect(h.sandbox.data.applications.get('admin/fresh-app')!.clientSecret).toBe('new-secret-value-123');
    const dry = await call(admin, 'update_application', { id: 'admin/fresh-app', application: { description: 'x' }, dry_run: true });
    expect(JSON.stringify(dry)).not.toContain('new-secret-value-123');
    const added = await call(admin, 'add_application', { application: { name: 'fresh-app-2', organization: 'acme' } });
    expect(JSON.stringify(added)).not.toContain(String(h.sandbox.data.applications.get('admin/fresh-app-2')!.clientSecret));
  });
});

describe('dry runs are no oracle (defect 10)', () => {
  it('a caller who cannot see secrets gets the same change list for a right and a wrong guess', async () => {
    const stored = h.sandbox.data.applications.get('admin/acme-portal')!;
    const guess = (application: Json) => call(alice, 'update_application', { id: 'admin/acme-portal', application, dry_run: true });
    const right = structured(await guess({ tokenFormat: stored.tokenFormat, expireInHours: stored.expireInHours, clientSecret: stored.clientSecret }));
    const wrong = structured(await guess({ tokenFormat: 'JWT-Empty', expireInHours: 5, clientSecret: 'not-it' }));
    expect(right.changes.map((c: Json) => c.field).sort()).toEqual(['clientSecret', 'expireInHours', 'tokenFormat']);
    expect(right.changes.map((c: Json) => c.old)).toEqual(wrong.changes.map((c: Json) => c.old));
    expect(JSON.stringify(right)).not.toContain(String(stored.clientSecret));
  });
});

describe('credential properties never leave (defect 11)', () => {
  it('oauth_* and credential-looking keys are dropped from get_user and from change lists, and kept on write', async () => {
    const bob = h.sandbox.data.users.get('acme/bob')!;
    bob.properties = {
      department: 'sales', oauth_WeChat_session_key: 'wx-session', oauth_Custom_client_secret: 'cs-1', oauth_GitHub_username: 'bobgh',
      api_key: 'k-1', sessionCookie: 'sc-1',
    };
    const read = structured(await call(admin, 'get_user', { id: 'acme/bob' })).user as Json;
    expect(read.properties).toEqual({ department: 'sales' });
    const dry = await call(admin, 'update_user', { id: 'acme/bob', user: { properties: { department: 'support' } }, dry_run: true });
    expect(structured(dry).changes).toEqual([{ field: 'properties', old: { department: 'sales' }, new: { department: 'support' } }]);
    for (const secret of ['wx-session', 'cs-1', 'bobgh', 'k-1', 'sc-1']) expect(JSON.stringify([read, dry])).not.toContain(secret);
    await call(admin, 'update_user', { id: 'acme/bob', user: { properties: { department: 'support' } } });
    expect(h.sandbox.data.users.get('acme/bob')!.properties).toMatchObject({ department: 'support', oauth_WeChat_session_key: 'wx-session' });
  });
});

describe('confirmation questions cannot be written by the object (defect 13)', () => {
  it('line breaks and control characters in a display name are flattened, quoted and capped', async () => {
    const questions: string[] = [];
    const asking = await mcpClient(h, bearer(await h.token(ALL)), async (req) => {
      questions.push(String(req.params.message));
      return { action: 'decline' };
    });
    const stored = h.sandbox.data.applications.get('admin/fresh-app')!;
    stored.displayName = 'x\n\nNOTE: this only ARCHIVES the account (restorable). Tick to continue\u202e' + 'y'.repeat(300);
    await call(asking, 'delete_application', { id: 'admin/fresh-app' });
    expect(questions).toHaveLength(1);
    const q = questions[0]!;
    expect(q).not.toMatch(/[\n\r\u202e]/);
    expect(q).toContain('display name "x NOTE: this only ARCHIVES');
    expect(q.length).toBeLessThan(300);
    expect(q).toMatch(/^Delete application "admin\/fresh-app" .*This cannot be undone\.$/);
  });
});

describe('guards use the loaded record (defect 14)', () => {
  it('on a case-insensitive database, "Built-in/Admin" is still built-in/admin: not deleted', async () => {
    const users = h.sandbox.store.users;
    const fold = (k: unknown) => [...users.keys()].find((key) => key.toLowerCase() === String(k).toLowerCase()) ?? String(k);
    const { get, delete: del, has } = users;
    // MySQL's default collation: lookups and deletes ignore case.
    users.get = (k) => get.call(users, fold(k));
    users.has = (k) => has.call(users, fold(k));
    users.delete = (k) => del.call(users, fold(k));
    try {
      for (const id of ['Built-in/Admin', 'BUILT-IN/admin']) {
        const r = await call(admin, 'delete_user', { id, confirm: true, name: id.split('/')[1] });
        expect(r.isError).toBe(true);
        expect(text(r)).toContain('built-in/admin');
        const renamed = await call(admin, 'update_user', { id, user: { name: 'root' } });
        expect(renamed.isError).toBe(true);
      }
      expect(has.call(users, 'built-in/admin')).toBe(true);
      expect(get.call(users, 'built-in/admin')!.name).toBe('admin');
    } finally {
      users.get = get;
      users.has = has;
      users.delete = del;
    }
  });
});
