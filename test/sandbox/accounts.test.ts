import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, ENVELOPE_KEYS, sessionCookie } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb.stop();
});

const loginBody = (username: string, password: string, organization = 'acme', application = 'acme-portal') => ({
  application, organization, username, password, type: 'login',
});

describe('POST /api/login', () => {
  it('sets casdoor_session_id and answers with the user id', async () => {
    const res = await call(sb, '/api/login', { body: loginBody('alice', 'alice-pass') });
    expect(res.json).toMatchObject({ status: 'ok', data: 'acme/alice' });
    expect(res.headers.get('set-cookie')).toMatch(/^casdoor_session_id=[0-9a-f]+;.*Path=\/.*HttpOnly/);
    const cookie = sessionCookie(res)!;
    expect(sb.store.sessions.get(cookie)?.user).toBe('acme/alice');
  });

  it('reports wrong passwords with the remaining chances and locks after five', async () => {
    const first = await call(sb, '/api/login', { body: loginBody('bob', 'nope') });
    expect(first.json).toMatchObject({ status: 'error', msg: 'password or code is incorrect, you have 4 remaining chances' });
    for (let i = 0; i < 4; i += 1) await call(sb, '/api/login', { body: loginBody('bob', 'nope') });
    const locked = await call(sb, '/api/login', { body: loginBody('bob', 'bob-pass') });
    expect(locked.json.msg).toBe('You have entered the wrong password or code too many times, please wait for 15 minutes and try again');
    sb.data.users.get('acme/bob')!.signinWrongTimes = 0;
  });

  it('reports unknown users and applications', async () => {
    expect((await call(sb, '/api/login', { body: loginBody('zed', 'x') })).json.msg).toBe('The user: acme/zed doesn\'t exist');
    expect((await call(sb, '/api/login', { body: loginBody('alice', 'alice-pass', 'acme', 'nope') })).json.msg).toBe('The application: nope does not exist');
  });
});

describe('GET /api/get-account', () => {
  it('needs a session', async () => {
    const res = await call(sb, '/api/get-account');
    expect(res.json).toEqual({ status: 'error', msg: 'Please login first', sub: '', name: '', data: 'Please login first', data2: null, data3: null });
  });

  it('describes the session user and its organization', async () => {
    const cookie = await sb.login('acme', 'bob', 'bob-pass');
    const res = await call(sb, '/api/get-account', { cookie });
    const bob = sb.data.users.get('acme/bob')!;
    expect(Object.keys(res.json)).toEqual(ENVELOPE_KEYS);
    expect(res.json).toMatchObject({ status: 'ok', sub: bob.id, name: 'bob' });
    expect(res.json.data).toMatchObject({ owner: 'acme', name: 'bob', isAdmin: false, password: '***', totpSecret: '', recoveryCodes: null });
    expect(res.json.data2).toMatchObject({ owner: 'admin', name: 'acme', displayName: 'Acme Corp' });
    // get-account mints a "profile" token for the session and reuses it afterwards
    const token = res.json.data.accessToken as string;
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${sb.url}/.well-known/jwks`)));
    expect(payload).toMatchObject({ name: 'bob', scope: 'profile' });
    expect((await call(sb, '/api/get-account', { cookie })).json.data.accessToken).toBe(token);
    expect((await call(sb, '/api/get-account', { bearer: token })).json.name).toBe('bob');
  });

  it('global admins are recognised by owner built-in', async () => {
    const cookie = await sb.login('built-in', 'admin', '123');
    const res = await call(sb, '/api/get-account', { cookie });
    expect(res.json.data).toMatchObject({ owner: 'built-in', name: 'admin', isAdmin: true });
    expect((await call(sb, '/api/get-users?owner=globex', { cookie })).json.status).toBe('ok');
  });

  it('login() rejects bad credentials', async () => {
    await expect(sb.login('acme', 'alice', 'wrong')).rejects.toThrow(/password or code is incorrect/);
  });
});

describe('logout', () => {
  it('clears the session', async () => {
    const cookie = await sb.login('globex', 'carol', 'carol-pass');
    expect((await call(sb, '/api/logout', { method: 'POST', cookie })).json).toMatchObject({ status: 'ok', data: 'globex/carol' });
    expect((await call(sb, '/api/get-account', { cookie })).json.msg).toBe('Please login first');
  });
});
