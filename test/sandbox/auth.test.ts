import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, demoBasic, ENVELOPE_KEYS, sessionCookie } from './helpers.js';

let sb: Sandbox;
let now = Date.now();
beforeAll(async () => {
  sb = await startSandbox({ clock: () => now });
});
afterAll(async () => {
  await sb.stop();
});

describe('envelope', () => {
  it('always carries every field and answers HTTP 200', async () => {
    const res = await call(sb, '/api/get-organizations?owner=admin', { basic: demoBasic(sb) });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(ENVELOPE_KEYS);
    expect(res.json.status).toBe('ok');
    expect(res.json.data.map((o: { name: string }) => o.name)).toEqual(['globex', 'acme', 'built-in']);
  });

  it('denials from the authz filter use the slim envelope with HTTP 200', async () => {
    const res = await call(sb, '/api/get-users?owner=acme');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'error', msg: 'Unauthorized operation', data: null, data2: null });
  });

  it('unknown routes answer beego\'s HTML 404 page, never a stack trace', async () => {
    const { id, secret } = demoBasic(sb);
    const res = await fetch(`${sb.url}/api/no-such-thing`, { headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('Not Found');
  });

  it('bad JSON bodies become envelope errors with Go wording', async () => {
    const res = await call(sb, '/api/add-application', { basic: demoBasic(sb), body: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'error', msg: 'unexpected end of JSON input' });
    const typed = await call(sb, '/api/add-application', { basic: demoBasic(sb), body: { name: 'x', expireInHours: 'soon' } });
    expect(typed.json.msg).toBe('json: cannot unmarshal string into Go struct field Application.expireInHours of type float64');
  });
});

describe('caller resolution', () => {
  it('Basic clientId:clientSecret acts as app/<name> (global admin)', async () => {
    const res = await call(sb, '/api/get-users?owner=acme', { basic: demoBasic(sb) });
    expect(res.json.status).toBe('ok');
    expect(res.json.data).toHaveLength(2);
  });

  it('ignores a wrong Basic secret (anonymous) but rejects a wrong query secret', async () => {
    const basic = await call(sb, '/api/get-users?owner=acme', { basic: { id: sb.demo.clientId, secret: 'wrong' } });
    expect(basic.json.msg).toBe('Unauthorized operation');
    const query = await call(sb, `/api/get-users?owner=acme&clientId=${sb.demo.clientId}&clientSecret=wrong`);
    expect(query.json).toEqual({ status: 'error', msg: 'Incorrect client secret for application: casdoor-mcp', data: null, data2: null });
    const ok = await call(sb, `/api/get-users?owner=acme&clientId=${sb.demo.clientId}&clientSecret=${sb.demo.clientSecret}`);
    expect(ok.json.status).toBe('ok');
  });

  it('looks bearer tokens up in the token table', async () => {
    const unknown = await call(sb, '/api/get-users?owner=acme', { bearer: 'not-a-token' });
    expect(unknown.json).toEqual({ status: 'error', msg: 'Access token doesn\'t exist in database', data: null, data2: null });
    const unstored = await sb.issueToken({ store: false });
    expect((await call(sb, '/api/get-users?owner=acme', { bearer: unstored })).json.msg).toBe('Access token doesn\'t exist in database');
    const token = await sb.issueToken({ scope: 'read' });
    expect((await call(sb, '/api/get-users?owner=acme', { bearer: token })).json.status).toBe('ok');
    expect((await call(sb, `/api/get-users?owner=acme&access_token=${token}`)).json.status).toBe('ok');
  });

  it('reports expired bearer tokens using the sandbox clock', async () => {
    const token = await sb.issueToken({ expiresInSeconds: 60 });
    now += 61_000;
    const res = await call(sb, '/api/get-users?owner=acme', { bearer: token });
    expect(res.json.msg).toMatch(/^Access token has expired, expireTime = \d{4}-\d\d-\d\dT/);
  });

  it('user tokens act as the user: org admin only inside their org', async () => {
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice' });
    expect((await call(sb, '/api/get-users?owner=acme', { bearer: alice })).json.status).toBe('ok');
    expect((await call(sb, '/api/get-users?owner=globex', { bearer: alice })).json.msg).toBe('Unauthorized operation');
    const bob = await sb.issueToken({ kind: 'user', user: 'acme/bob' });
    expect((await call(sb, '/api/get-users?owner=acme', { bearer: bob })).json.msg).toBe('Unauthorized operation');
  });

  it('a forbidden user\'s token stops working', async () => {
    const bobToken = await sb.issueToken({ kind: 'user', user: 'acme/bob' });
    sb.data.users.get('acme/bob')!.isForbidden = true;
    const res = await call(sb, '/api/get-application?id=admin/acme-portal', { bearer: bobToken });
    expect(res.json.msg).toBe('The user is forbidden to sign in, please contact the administrator');
    sb.data.users.get('acme/bob')!.isForbidden = false;
  });
});

describe('session cookie', () => {
  it('a credential sent with a cookie rebinds that cookie\'s session (setSessionUser)', async () => {
    const cookie = await sb.login('acme', 'bob', 'bob-pass');
    expect((await call(sb, '/api/get-account', { cookie })).json.name).toBe('bob');
    await call(sb, '/api/get-application?id=admin/acme-portal', { cookie, basic: demoBasic(sb) });
    expect(sb.store.sessions.get(cookie)?.user).toBe('app/casdoor-mcp');
    // the cookie alone is now a global-admin-equivalent credential
    expect((await call(sb, '/api/get-users?owner=globex', { cookie })).json.status).toBe('ok');
    const account = await call(sb, '/api/get-account', { cookie });
    expect(account.json).toMatchObject({ status: 'error', msg: 'The user: app/casdoor-mcp doesn\'t exist' });
  });

  it('a credential without a cookie starts a new session and sends its cookie', async () => {
    const res = await call(sb, '/api/get-organizations?owner=admin', { basic: demoBasic(sb) });
    const cookie = sessionCookie(res);
    expect(cookie).toBeTruthy();
    expect(sb.store.sessions.get(cookie!)?.user).toBe('app/casdoor-mcp');
  });

  it('?username=org/name&password= signs in for the request', async () => {
    const res = await call(sb, '/api/get-users?owner=acme&username=acme/alice&password=alice-pass');
    expect(res.json.status).toBe('ok');
    const bad = await call(sb, '/api/get-users?owner=acme&username=alice&password=x');
    expect(bad.json.msg).toBe('GetOwnerAndNameFromId() error, wrong token count for ID: alice');
  });
});

describe('request log', () => {
  it('records method, path, query and the credential kind', async () => {
    sb.requests.length = 0;
    await call(sb, '/api/get-application?id=admin/app-built-in');
    await call(sb, '/api/get-users?owner=acme', { basic: demoBasic(sb) });
    await call(sb, '/api/get-users?owner=acme', { bearer: 'x' });
    await call(sb, '/api/get-account', { cookie: 'abc' });
    expect(sb.requests.map((r) => [r.method, r.path, r.query, r.auth])).toEqual([
      ['GET', '/api/get-application', 'id=admin/app-built-in', 'none'],
      ['GET', '/api/get-users', 'owner=acme', 'basic'],
      ['GET', '/api/get-users', 'owner=acme', 'bearer'],
      ['GET', '/api/get-account', '', 'cookie'],
    ]);
    expect(sb.requests[0]!.at).toBe(now);
  });
});

describe('organizations', () => {
  it('global admins see all organizations with secrets masked', async () => {
    sb.data.organizations.get('admin/acme')!.masterPassword = 'master';
    const res = await call(sb, '/api/get-organization?id=admin/acme', { basic: demoBasic(sb) });
    expect(res.json.data).toMatchObject({ owner: 'admin', name: 'acme', displayName: 'Acme Corp', passwordType: 'plain', masterPassword: '***', tags: [] });
    expect((await call(sb, '/api/get-organization?id=admin/nope', { basic: demoBasic(sb) })).json).toMatchObject({ status: 'ok', data: null });
    sb.data.organizations.get('admin/acme')!.masterPassword = '';
  });

  it('other users only see their own organization', async () => {
    const bob = await sb.issueToken({ kind: 'user', user: 'acme/bob' });
    const list = await call(sb, '/api/get-organizations?owner=admin', { bearer: bob });
    expect(list.json.data.map((o: { name: string }) => o.name)).toEqual(['acme']);
    expect((await call(sb, '/api/get-organization?id=admin/acme', { bearer: bob })).json.msg).toBe('Unauthorized operation');
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice' });
    expect((await call(sb, '/api/get-organization?id=admin/acme', { bearer: alice })).json.data.name).toBe('acme');
    expect((await call(sb, '/api/get-organization?id=admin/globex', { bearer: alice })).json.msg).toBe('Unauthorized operation');
    expect((await call(sb, '/api/get-organizations?owner=admin')).json.msg).toBe('Please sign in first');
  });
});
