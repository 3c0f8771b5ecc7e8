import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, demoBasic } from './helpers.js';

let sb: Sandbox;
let admin: { id: string; secret: string };
beforeAll(async () => {
  sb = await startSandbox();
  admin = demoBasic(sb);
});
afterAll(async () => {
  await sb.stop();
});

const names = (data: Array<{ name: string }> | null): string[] => (data ?? []).map((a) => a.name);
const get = (path: string, opts: Parameters<typeof call>[2] = {}) => call(sb, path, { basic: admin, ...opts });
const post = (path: string, body: unknown) => call(sb, path, { basic: admin, body });

describe('reading applications', () => {
  it('lists every app newest first, unmasked for the app client', async () => {
    const res = await get('/api/get-applications?owner=admin');
    expect(names(res.json.data)).toEqual(['globex-web', 'acme-api', 'acme-portal', 'casdoor-mcp', 'app-built-in']);
    expect(res.json.data2).toBeNull();
    const mcp = res.json.data.find((a: { name: string }) => a.name === 'casdoor-mcp');
    expect(mcp.clientSecret).toBe(sb.demo.clientSecret);
    expect(mcp.organizationObj).toBeNull();
    expect(mcp).toHaveProperty('CertObj', null);
  });

  it('filters by organization (OR shared) without pagination only', async () => {
    sb.data.applications.get('admin/app-built-in')!.isShared = true;
    const plain = await get('/api/get-applications?owner=admin&organization=acme');
    expect(names(plain.json.data)).toEqual(['acme-api', 'acme-portal', 'app-built-in']);
    const paged = await get('/api/get-applications?owner=admin&organization=acme&p=1&pageSize=2');
    expect(names(paged.json.data)).toEqual(['globex-web', 'acme-api']);
    expect(paged.json.data2).toBe(5);
    sb.data.applications.get('admin/app-built-in')!.isShared = false;
  });

  it('clamps a page past the end to the last page and supports field/value/sort', async () => {
    const last = await get('/api/get-applications?owner=admin&p=99&pageSize=2');
    expect(names(last.json.data)).toEqual(['app-built-in']);
    const filtered = await get('/api/get-applications?owner=admin&p=1&pageSize=10&field=name&value=ACME&sortField=name&sortOrder=ascend');
    expect(names(filtered.json.data)).toEqual(['acme-api', 'acme-portal']);
    expect(filtered.json.data2).toBe(2);
    const none = await get('/api/get-applications?owner=admin&p=1&pageSize=10&field=name&value=zzz');
    expect(none.json.data).toBeNull();
    expect(none.json.data2).toBe(0);
  });

  it('get-organization-applications needs the organization and filters even when paginated', async () => {
    expect((await get('/api/get-organization-applications?owner=admin')).json.msg).toBe('Missing parameter: organization');
    const res = await get('/api/get-organization-applications?owner=admin&organization=acme&p=1&pageSize=1');
    expect(names(res.json.data)).toEqual(['acme-api']);
    expect(res.json.data2).toBe(2);
    const anonymous = await call(sb, '/api/get-organization-applications?owner=admin&organization=acme');
    expect(anonymous.json.msg).toBe('Unauthorized operation');
  });

  it('get-application is public but masked for strangers', async () => {
    const anon = await call(sb, '/api/get-application?id=admin/acme-api');
    const app = anon.json.data;
    expect(app.clientId).toBe(sb.data.applications.get('admin/acme-api')!.clientId);
    expect(app).toMatchObject({
      clientSecret: '***', cert: '***', ipWhitelist: '***', backchannelLogoutUri: '***', tokenFormat: '***',
      grantTypes: [], redirectUris: [], expireInHours: -1, refreshExpireInHours: -1, cookieExpireInHours: -1,
      enablePassword: false,
    });
    expect(app.organizationObj).toMatchObject({ name: 'acme', displayName: 'Acme Corp', passwordType: '***', initScore: -1 });
    expect((await call(sb, '/api/get-application?id=admin/nope')).json).toMatchObject({ status: 'ok', data: null });
  });

  it('org admins see their own org\'s apps unmasked, others masked', async () => {
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice' });
    const own = await call(sb, '/api/get-application?id=admin/acme-api', { bearer: alice });
    expect(own.json.data.clientSecret).toBe(sb.data.applications.get('admin/acme-api')!.clientSecret);
    const other = await call(sb, '/api/get-application?id=admin/globex-web', { bearer: alice });
    expect(other.json.data.clientSecret).toBe('***');
    expect((await call(sb, '/api/get-applications?owner=admin', { bearer: alice })).json.msg).toBe('Unauthorized operation');
  });

  it('withKey=1 fills certPublicKey', async () => {
    const res = await get('/api/get-application?id=admin/casdoor-mcp&withKey=1');
    expect(res.json.data.certPublicKey).toContain('BEGIN PUBLIC KEY');
  });
});

describe('adding applications', () => {
  it('applies Casdoor\'s defaults', async () => {
    const res = await post('/api/add-application', { name: 'fresh', displayName: 'Fresh' });
    expect(res.json).toMatchObject({ status: 'ok', data: 'Affected' });
    const app = sb.data.applications.get('admin/fresh')!;
    expect(app).toMatchObject({
      owner: 'admin', organization: 'built-in', tokenFormat: 'JWT', grantTypes: ['authorization_code'],
      tags: [], redirectUris: [], providers: [], scopes: [], expireInHours: 0, createdTime: '',
    });
    expect(app.clientId).toMatch(/^[0-9a-f]{20}$/);
    expect(app.clientSecret).toMatch(/^[0-9a-f]{40}$/);
    expect(Array.isArray(app.signupItems) && app.signupItems.length).toBeGreaterThan(0);
  });

  it('reports duplicates as Unaffected', async () => {
    expect((await post('/api/add-application', { name: 'fresh' })).json.data).toBe('Unaffected');
    expect((await post('/api/add-application', { name: 'other', clientId: sb.demo.clientId })).json.data).toBe('Unaffected');
  });

  it('rejects forbidden name characters before the controller', async () => {
    const res = await post('/api/add-application', { name: 'bad/name' });
    expect(res.json).toEqual({ status: 'error', msg: 'Field \'name\' contains forbidden characters: "/?:#&%=+;"', data: null, data2: null });
  });

  it('validates the IP whitelist as CIDRs', async () => {
    const res = await post('/api/add-application', { name: 'ipapp', ipWhitelist: '10.0.0.0/8,***' });
    expect(res.json.msg).toBe('*** does not meet the CIDR format requirements: invalid CIDR address: ***');
  });

  it('lets an org admin add apps only for their own organization', async () => {
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice' });
    expect((await call(sb, '/api/add-application', { bearer: alice, body: { name: 'acme-new', organization: 'acme' } })).json.data).toBe('Affected');
    expect((await call(sb, '/api/add-application', { bearer: alice, body: { name: 'globex-new', organization: 'globex' } })).json.msg).toBe('Unauthorized operation');
  });
});

describe('updating applications', () => {
  it('overwrites every column when no columns are given', async () => {
    const before = sb.data.applications.get('admin/globex-web')!;
    const secret = before.clientSecret;
    const res = await post('/api/update-application?id=admin/globex-web', { owner: 'admin', name: 'globex-web', organization: 'globex', displayName: 'Only this', clientId: before.clientId, clientSecret: '***' });
    expect(res.json.data).toBe('Affected');
    const after = sb.data.applications.get('admin/globex-web')!;
    expect(after.displayName).toBe('Only this');
    expect(after.clientSecret).toBe(secret); // "***" preserves the secret
    expect(after.redirectUris).toBeNull(); // absent fields are zeroed
    expect(after.grantTypes).toBeNull();
    expect(after.expireInHours).toBe(0);
    expect(after.createdTime).toBe('');
  });

  it('with columns writes the listed columns plus non-zero fields (xorm MustCols)', async () => {
    const app = sb.data.applications.get('admin/acme-portal')!;
    const redirects = app.redirectUris;
    const res = await post('/api/update-application?id=admin/acme-portal&columns=displayName,description', {
      owner: 'admin', name: 'acme-portal', organization: 'acme', clientId: app.clientId, displayName: '', homepageUrl: 'https://new.example.com',
    });
    expect(res.json.data).toBe('Affected');
    const after = sb.data.applications.get('admin/acme-portal')!;
    expect(after.displayName).toBe('');
    expect(after.homepageUrl).toBe('https://new.example.com');
    expect(after.redirectUris).toEqual(redirects);
    expect(after.clientSecret).toBe(app.clientSecret);
  });

  it('renames through the old id and cascades', async () => {
    const app = sb.data.applications.get('admin/acme-portal')!;
    const body = { ...app, name: 'acme-portal-2' };
    expect((await post('/api/update-application?id=admin/acme-portal', body)).json.data).toBe('Affected');
    expect(sb.data.applications.has('admin/acme-portal')).toBe(false);
    expect(sb.data.organizations.get('admin/acme')!.defaultApplication).toBe('acme-portal-2');
    expect(sb.data.users.get('acme/bob')!.signupApplication).toBe('acme-portal-2');
    const back = { ...sb.data.applications.get('admin/acme-portal-2')!, name: 'acme-portal' };
    expect((await post('/api/update-application?id=admin/acme-portal-2', back)).json.data).toBe('Affected');
  });

  it('answers unknown ids with Unaffected and refuses org moves by non-global admins', async () => {
    expect((await post('/api/update-application?id=admin/nope', { name: 'nope' })).json).toMatchObject({ status: 'ok', data: 'Unaffected' });
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice' });
    const app = sb.data.applications.get('admin/acme-api')!;
    const moved = await call(sb, '/api/update-application?id=admin/globex-web', { bearer: alice, body: { ...app, name: 'globex-web', organization: 'acme' } });
    expect(moved.json).toMatchObject({ status: 'error', msg: 'Unauthorized operation' });
    const own = await call(sb, '/api/update-application?id=admin/acme-api', { bearer: alice, body: { ...app, displayName: 'Acme API v2' } });
    expect(own.json.data).toBe('Affected');
  });
});

describe('deleting applications', () => {
  it('needs owner, name and organization to match', async () => {
    await post('/api/add-application', { name: 'doomed', organization: 'globex' });
    expect((await post('/api/delete-application', { owner: 'admin', name: 'doomed' })).json.data).toBe('Unaffected');
    expect((await post('/api/delete-application', { owner: 'admin', name: 'doomed', organization: 'acme' })).json.data).toBe('Unaffected');
    expect((await post('/api/delete-application', { owner: 'admin', name: 'doomed', organization: 'globex' })).json.data).toBe('Affected');
    expect(sb.data.applications.has('admin/doomed')).toBe(false);
  });

  it('never deletes app-built-in', async () => {
    const res = await post('/api/delete-application', { owner: 'admin', name: 'app-built-in', organization: 'built-in' });
    expect(res.json.data).toBe('Unaffected');
    expect(sb.data.applications.has('admin/app-built-in')).toBe(true);
  });
});
