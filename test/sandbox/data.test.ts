// The typed data API tests use instead of the raw store: what it stores is what the REST API reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { call, demoBasic } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(() => sb?.stop());

describe('sandbox.data', () => {
  it('put stores a whole row with Casdoor\'s zero values, and get-role reads it', async () => {
    const role = sb.data.roles.put({ owner: 'acme', name: 'auditors', displayName: 'Auditors', users: ['acme/bob'] });
    expect(role).toMatchObject({ description: '', groups: null, isEnabled: false });
    const read = await call(sb, '/api/get-role?id=acme/auditors', { basic: demoBasic(sb) });
    expect(read.json.data).toMatchObject({ name: 'auditors', displayName: 'Auditors', users: ['acme/bob'], description: '' });
  });

  it('get is the stored row, patch changes it in place, delete removes it', async () => {
    sb.data.applications.patch('admin/acme-portal', { displayName: 'Patched portal' });
    expect(sb.data.applications.get('admin/acme-portal')?.displayName).toBe('Patched portal');
    const read = await call(sb, '/api/get-application?id=admin/acme-portal', { basic: demoBasic(sb) });
    expect(read.json.data.displayName).toBe('Patched portal');
    expect(() => sb.data.users.patch('acme/nobody', { tag: 'x' })).toThrow(/no user acme\/nobody/);
    sb.data.roles.put({ owner: 'acme', name: 'temp-role' });
    expect(sb.data.roles.delete('acme/temp-role')).toBe(true);
    expect(sb.data.roles.has('acme/temp-role')).toBe(false);
    expect(sb.data.roles.delete('acme/temp-role')).toBe(false);
  });

  it('list narrows by owner and count counts', () => {
    expect(sb.data.users.list('acme').map((u) => u.name).sort()).toEqual(['alice', 'bob']);
    expect(sb.data.users.count()).toBe(sb.data.users.list().length);
  });
});
