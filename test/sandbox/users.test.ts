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

const get = (path: string) => call(sb, path, { basic: admin });
const post = (path: string, body: unknown) => call(sb, path, { basic: admin, body });

describe('reading users', () => {
  it('lists an organization newest first with secrets masked', async () => {
    const res = await get('/api/get-users?owner=acme');
    expect(res.json.data.map((u: { name: string }) => u.name)).toEqual(['bob', 'alice']);
    const bob = res.json.data[0];
    expect(bob).toMatchObject({ owner: 'acme', name: 'bob', type: 'normal-user', password: '***', totpSecret: '', recoveryCodes: null, isForbidden: false, isDeleted: false, properties: { department: 'sales' } });
    expect(bob.passwordSalt).toBe(sb.data.users.get('acme/bob')!.passwordSalt); // global admins see the salt
    expect(bob.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('paginates with data2 = total', async () => {
    const res = await get('/api/get-users?owner=&p=1&pageSize=2&sortField=name&sortOrder=ascend');
    expect(res.json.data.map((u: { name: string }) => u.name)).toEqual(['admin', 'alice']);
    expect(res.json.data2).toBe(4);
  });

  it('finds a user by id, by owner+email and by owner+phone', async () => {
    expect((await get('/api/get-user?id=acme/alice')).json.data.name).toBe('alice');
    expect((await get('/api/get-user?owner=acme&email=bob@acme.example.com')).json.data.name).toBe('bob');
    expect((await get('/api/get-user?owner=globex&phone=5550200001')).json.data.name).toBe('carol');
    expect((await get('/api/get-user?id=acme/nobody')).json).toMatchObject({ status: 'ok', data: null });
  });

  it('get-user: self and same-org admins only, strangers masked out', async () => {
    const bob = await sb.issueToken({ kind: 'user', user: 'acme/bob' });
    const self = await call(sb, '/api/get-user?id=acme/bob', { bearer: bob });
    // GetMaskedUser leaves the salt alone (users-get-user-by-id.json: bob reads his own salt).
    expect(self.json.data).toMatchObject({ name: 'bob', password: '***', passwordSalt: sb.data.users.get('acme/bob')!.passwordSalt });
    expect(self.json.data.accessSecret).toBe(sb.data.users.get('acme/bob')!.accessSecret);
    expect((await call(sb, '/api/get-user?id=acme/alice', { bearer: bob })).json.msg).toBe('Unauthorized operation');
    expect((await call(sb, '/api/get-user?id=acme/alice')).json.msg).toBe('Please login first');
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice' });
    expect((await call(sb, '/api/get-user?id=acme/bob', { bearer: alice })).json.data.name).toBe('bob');
    expect((await call(sb, '/api/get-user?id=globex/carol', { bearer: alice })).json.msg).toBe('Unauthorized operation');
  });
});

describe('adding users', () => {
  it('adds a user with Casdoor defaults', async () => {
    const res = await post('/api/add-user', { owner: 'acme', name: 'dave', displayName: 'Dave', password: 'dave-pass' });
    expect(res.json).toMatchObject({ status: 'ok', data: 'Affected' });
    const dave = sb.data.users.get('acme/dave')!;
    expect(dave).toMatchObject({ registerType: 'Add User', passwordType: 'plain', password: 'dave-pass', balanceCurrency: 'USD' });
    expect(dave.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(dave.createdTime).not.toBe('');
  });

  it('rejects duplicates and invalid names', async () => {
    expect((await post('/api/add-user', { owner: 'acme', name: 'dave' })).json.msg).toBe('Username already exists');
    expect((await post('/api/add-user', { owner: 'acme', name: '-bad-' })).json.msg).toMatch(/^The username may only contain/);
    expect((await post('/api/add-user', { owner: 'acme', name: '' })).json.msg).toBe('the user\'s owner and name should not be empty');
    expect((await post('/api/add-user', { owner: 'acme', name: 'x2', email: 'bob@acme.example.com' })).json.msg).toBe('Email already exists');
    expect((await post('/api/add-user', { owner: 'built-in', name: 'root2' })).json.msg).toMatch(/^adding a new user to the 'built-in' organization is currently disabled/);
  });
});

describe('updating users', () => {
  it('writes the default column list: password is not one of them', async () => {
    const old = sb.data.users.get('acme/bob')!;
    const res = await post('/api/update-user?id=acme/bob', { ...old, displayName: 'Robert', password: 'changed' });
    expect(res.json.data).toBe('Affected');
    const bob = sb.data.users.get('acme/bob')!;
    expect(bob.displayName).toBe('Robert');
    expect(bob.password).toBe('bob-pass');
  });

  it('zeroes default columns missing from the body', async () => {
    // A bare body has id "": Casdoor refuses it as an id change (measured).
    const bare = await post('/api/update-user?id=acme/dave', { owner: 'acme', name: 'dave', displayName: 'Dave' });
    expect(bare.json.msg).toBe('The ID is immutable.');
    const id = sb.data.users.get('acme/dave')!.id;
    const res = await post('/api/update-user?id=acme/dave', { owner: 'acme', name: 'dave', id, displayName: 'Dave', password: '***' });
    expect(res.json.data).toBe('Affected');
    const dave = sb.data.users.get('acme/dave')!;
    expect(dave.balanceCurrency).toBe('');
    expect(dave.password).toBe('dave-pass');
  });

  it('columns=password changes only the password; "***" keeps it', async () => {
    expect((await post('/api/update-user?id=acme/dave&columns=password', { password: 'new-pass', displayName: 'ignored' })).json.data).toBe('Affected');
    expect(sb.data.users.get('acme/dave')).toMatchObject({ password: 'new-pass', displayName: 'Dave' });
    await post('/api/update-user?id=acme/dave&columns=password', { password: '***' });
    expect(sb.data.users.get('acme/dave')!.password).toBe('new-pass');
  });

  it('reports unknown users and protects built-in/admin', async () => {
    expect((await post('/api/update-user?id=acme/nobody', { owner: 'acme', name: 'nobody' })).json.msg).toBe('The user: acme/nobody doesn\'t exist');
    const adminUser = sb.data.users.get('built-in/admin')!;
    expect((await post('/api/update-user?id=built-in/admin', { ...adminUser, name: 'root' })).json.msg).toBe('Unauthorized operation');
    expect((await post('/api/update-user?id=acme/dave', { owner: 'acme', name: 'dave', displayName: '' })).json.msg).toBe('Display name cannot be empty');
  });

  it('forbidding a user expires its tokens (expiresIn = 0)', async () => {
    const token = await sb.issueToken({ kind: 'user', user: 'acme/dave' });
    const dave = sb.data.users.get('acme/dave')!;
    expect((await post('/api/update-user?id=acme/dave', { ...dave, isForbidden: true })).json.data).toBe('Affected');
    expect((await call(sb, '/api/get-account', { bearer: token })).json.msg).toMatch(/^Access token has expired, expireTime = /);
    expect(sb.data.users.get('acme/dave')!.isForbidden).toBe(true);
  });
});

describe('deleting users', () => {
  it('deletes by owner+name and refuses built-in/admin', async () => {
    expect((await post('/api/delete-user', { owner: 'acme', name: 'dave' })).json.data).toBe('Affected');
    expect((await post('/api/delete-user', { owner: 'acme', name: 'dave' })).json.data).toBe('Unaffected');
    expect((await post('/api/delete-user', { owner: 'built-in', name: 'admin' })).json).toMatchObject({ status: 'error', msg: 'Unauthorized operation' });
    expect(sb.data.users.has('built-in/admin')).toBe(true);
  });

  it('org admins may only delete inside their organization', async () => {
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice' });
    expect((await call(sb, '/api/delete-user', { bearer: alice, body: { owner: 'globex', name: 'carol' } })).json.msg).toBe('Unauthorized operation');
    expect(sb.data.users.has('globex/carol')).toBe(true);
  });
});
