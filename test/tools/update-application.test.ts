import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION } from '../../src/sandbox/schema.js';
import { ApplicationFields } from '../../src/tools/application-fields.js';
import { startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, structured, text, type Json } from './helpers.js';

/**
 * update_application is a partial update: only the named fields change in Casdoor's stored row,
 * whatever else is in it, and two agents changing different fields of one application both win.
 */

const FIELDS = Object.keys(ApplicationFields.shape);
const KIND = new Map(APPLICATION.fields.map((f) => [f.name, f.kind]));

/** A valid, non-default value for each field: variant 'a' fills the fixture, 'b' is the update. */
function valueFor(field: string, v: 'a' | 'b'): unknown {
  const special: Record<string, [unknown, unknown]> = {
    name: ['every-app', 'every-app-renamed'],
    organization: ['built-in', 'acme'],
    clientId: ['cid-every-a', 'cid-every-b'],
    tokenFormat: ['JWT-Custom', 'JWT-Standard'],
    tokenSigningMethod: ['RS512', 'ES256'],
    ipWhitelist: ['10.0.0.0/8', '192.168.0.0/16,172.16.0.0/12'],
    grantTypes: [['client_credentials'], ['authorization_code', 'refresh_token']],
    expireInHours: [2.5, 3],
    refreshExpireInHours: [5, 6.5],
    scopes: [
      [{ name: 'read:a', displayName: 'A', description: 'a', tools: ['get_a'] }],
      [{ name: 'read:b', displayName: 'B', description: 'b', tools: ['get_b'] }],
    ],
    customScopes: [[{ scope: 'a', displayName: 'A', description: 'a' }], [{ scope: 'b', displayName: 'B', description: 'b' }]],
    // Casdoor stores provider items without the provider object.
    providers: [[{ owner: 'admin', name: 'provider-a', canSignUp: true, provider: null }], [{ owner: 'admin', name: 'provider-b', canSignIn: true, provider: null }]],
    themeData: [
      { themeType: 'dark', colorPrimary: '#111111', borderRadius: 3, isCompact: true, isEnabled: true },
      { themeType: 'default', colorPrimary: '#222222', borderRadius: 9, isCompact: false, isEnabled: true },
    ],
  };
  if (field in special) return special[field]![v === 'a' ? 0 : 1];
  switch (KIND.get(field)) {
    case 's':
      return `${field}-${v}`;
    case 'b':
      return v === 'a'; // true is the non-default; the update turns it off
    case 'i':
    case 'f':
      return v === 'a' ? 7 : 8;
    case 'as':
      return [`${field}-${v}`];
    case 'a':
      return [{ name: `${field}-${v}`, visible: true }];
    default:
      throw new Error(`no test value for field ${field}: add one`);
  }
}

describe('update_application writes only the changed fields', () => {
  let h: Harness;
  let client: Client;
  let fixture: Json;

  beforeAll(async () => {
    // ~100 writes from one client here: the per-caller write limit is not what this file tests.
    h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
    client = await mcpClient(h, bearer(await h.token('read:application write:application')));
    // A stored row with every field set: the seed's shape (all of Casdoor's columns), every settable field non-default.
    fixture = structuredClone(h.sandbox.data.applications.get('admin/app-built-in')) as Json;
    for (const field of FIELDS) fixture[field] = valueFor(field, 'a');
    fixture.registrationAccessToken = 'rat-a';
    fixture.createdTime = '2024-01-02T03:04:05Z';
  });
  afterAll(() => h.close());

  function reset(): void {
    for (const app of h.sandbox.data.applications.list()) if (app.name.startsWith('every-app')) h.sandbox.data.applications.delete(`admin/${app.name}`);
    h.sandbox.data.applications.put(structuredClone(fixture) as never);
  }

  it('the fixture differs from the update in every field the tool accepts', () => {
    expect(FIELDS.length).toBeGreaterThan(80);
    for (const field of FIELDS) {
      expect(fixture[field], field).not.toEqual(valueFor(field, 'b'));
      expect(ApplicationFields.shape[field as keyof typeof ApplicationFields.shape].safeParse(valueFor(field, 'b')).success, field).toBe(true);
    }
  });

  for (const field of FIELDS) {
    it(`changing only ${field} leaves every other stored field exactly as it was`, async () => {
      reset();
      const value = valueFor(field, 'b');
      const r = await client.callTool({ name: 'update_application', arguments: { id: 'admin/every-app', application: { [field]: value } } });
      expect(r.isError, text(r)).toBeFalsy();
      expect(structured(r).changes.map((c: Json) => c.field)).toEqual([field]);
      const key = field === 'name' ? `admin/${value as string}` : 'admin/every-app';
      const stored = h.sandbox.data.applications.get(key) as Json;
      expect(stored, `no application at ${key}`).toBeDefined();
      const expected: Json = { ...fixture, [field]: value };
      for (const k of new Set([...Object.keys(expected), ...Object.keys(stored)])) {
        expect(stored[k], `${k} after changing ${field}`).toEqual(expected[k]);
      }
    });
  }

  it('a secret field is reported as changed, never with its value', async () => {
    reset();
    const r = structured(
      await client.callTool({ name: 'update_application', arguments: { id: 'admin/every-app', application: { clientSecret: 'brand-new-secret' } } }),
    );
    expect(r.changes).toEqual([{ field: 'clientSecret', old: '(secret)', new: '(changed)' }]);
    expect(JSON.stringify(r.changes)).not.toContain('brand-new-secret');
  });

  it('a field given with its current value changes nothing and writes nothing', async () => {
    reset();
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    const r = structured(await client.callTool({ name: 'update_application', arguments: { id: 'admin/every-app', application: { displayName: fixture.displayName } } }));
    expect(r.changes).toEqual([]);
    expect(h.sandbox.requests.slice(before).some((q) => q.path === '/api/update-application')).toBe(false);
    expect(h.sandbox.data.applications.get('admin/every-app')).toEqual(fixture);
  });

  it('two concurrent updates of different fields both survive, also when both read before either writes', async () => {
    const agentA = await mcpClient(h, bearer(await h.token('read:application write:application')));
    const agentB = await mcpClient(h, bearer(await h.token('write:application')));
    const pairs: Array<[Json, Json]> = [
      [{ displayName: 'A was here' }, { redirectUris: ['https://b.example/callback'] }],
      [{ expireInHours: 1 }, { grantTypes: ['client_credentials', 'refresh_token'] }],
      [{ description: 'from A' }, { enableSignUp: false }],
    ];
    // Slow Casdoor down so both reads happen before either write: a full-row write would lose one change.
    h.sandbox.faults.delayMs = 150;
    try {
      for (const [a, b] of pairs) {
        reset();
        const before = h.sandbox.requests.length;
        const beforeApi = h.apiCalls();
        const [ra, rb] = await Promise.all([
          agentA.callTool({ name: 'update_application', arguments: { id: 'admin/every-app', application: a } }),
          agentB.callTool({ name: 'update_application', arguments: { id: 'admin/every-app', application: b } }),
        ]);
        expect(ra.isError, text(ra)).toBeFalsy();
        expect(rb.isError, text(rb)).toBeFalsy();
        const paths = h.sandbox.requests.slice(before).map((q) => q.path);
        expect(paths.lastIndexOf('/api/get-application')).toBeGreaterThan(-1);
        expect(paths.indexOf('/api/update-application')).toBeGreaterThan(paths.indexOf('/api/get-application', paths.indexOf('/api/get-application') + 1));
        const stored = h.sandbox.data.applications.get('admin/every-app') as Json;
        expect(stored).toEqual({ ...fixture, ...a, ...b });
      }
    } finally {
      h.sandbox.faults.delayMs = 0;
    }
  });

  it('renaming moves the application and keeps every other field', async () => {
    reset();
    const r = structured(await client.callTool({ name: 'update_application', arguments: { id: 'admin/every-app', application: { name: 'every-app-2' } } }));
    expect(r.id).toBe('admin/every-app-2');
    expect(h.sandbox.data.applications.has('admin/every-app')).toBe(false);
    expect(h.sandbox.data.applications.get('admin/every-app-2')).toEqual({ ...fixture, name: 'every-app-2' });
  });

  it('refuses "***", a rename onto an existing application, and renaming app-built-in, changing nothing', async () => {
    reset();
    const cases: Array<[string, Json, RegExp]> = [
      ['admin/every-app', { clientSecret: '***' }, /mask/],
      ['admin/every-app', { redirectUris: ['https://ok.example', '***'] }, /mask/],
      ['admin/every-app', { name: 'acme-portal' }, /already exists/],
      ['admin/app-built-in', { name: 'something-else' }, /cannot be renamed/],
      ['admin/every-app', { organization: 'no-such-org' }, /does not exist/],
      ['admin/every-app', { ipWhitelist: '10.0.0.0/8, 192.168.0.0/16' }, /CIDR/],
    ];
    for (const [id, patch, message] of cases) {
      const before = structuredClone(h.sandbox.data.applications.list());
      const r = await client.callTool({ name: 'update_application', arguments: { id, application: patch } });
      expect(r.isError, JSON.stringify(patch)).toBe(true);
      expect(text(r)).toMatch(message);
      expect(h.sandbox.data.applications.list()).toEqual(before);
    }
  });

  it('dry_run returns exactly the changes and the would-be application, and writes nothing', async () => {
    reset();
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    const r = structured(
      await client.callTool({
        name: 'update_application',
        arguments: { id: 'admin/every-app', application: { displayName: 'Preview', expireInHours: 1 }, dry_run: true },
      }),
    );
    expect(r.dryRun).toBe(true);
    expect(r.changes).toEqual([
      { field: 'displayName', old: fixture.displayName, new: 'Preview' },
      { field: 'expireInHours', old: fixture.expireInHours, new: 1 },
    ]);
    expect(r.application).toMatchObject({ name: 'every-app', displayName: 'Preview', expireInHours: 1, description: fixture.description });
    expect(h.sandbox.data.applications.get('admin/every-app')).toEqual(fixture);
    expect(h.sandbox.requests.slice(before).every((q) => q.method === 'GET')).toBe(true);
  });

  it('add_application dry_run validates, shows the defaults it would use, and creates nothing', async () => {
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    const r = structured(await client.callTool({ name: 'add_application', arguments: { application: { name: 'dry-new', organization: 'acme' }, dry_run: true } }));
    expect(r.dryRun).toBe(true);
    expect(r.application).toMatchObject({ name: 'dry-new', organization: 'acme', expireInHours: 168, refreshExpireInHours: 168, grantTypes: ['authorization_code'], cert: 'cert-built-in' });
    expect(h.sandbox.data.applications.has('admin/dry-new')).toBe(false);
    expect(h.sandbox.requests.slice(before).every((q) => q.method === 'GET')).toBe(true);
    const taken = await client.callTool({ name: 'add_application', arguments: { application: { name: 'acme-portal', organization: 'acme' }, dry_run: true } });
    expect(taken.isError).toBe(true);
    expect(text(taken)).toContain('already taken');
    const shared = await client.callTool({ name: 'add_application', arguments: { application: { name: 'dry-shared', organization: 'acme', isShared: true }, dry_run: true } });
    expect(text(shared)).toContain('built-in');
  });
});
