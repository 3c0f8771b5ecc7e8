import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;

/** Who a token belongs to, whatever its format says (or does not say): Casdoor is asked. */
describe('principals from every Casdoor token format', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const userToken = (user: string, tokenFormat: 'JWT' | 'JWT-Empty' | 'JWT-Standard' | 'JWT-Custom') =>
    h.sandbox.issueToken({ kind: 'user', user, tokenFormat, scope: 'read:application write:application', audience: [h.url] });
  const status = async (token: string, tool: string, args: Json) => (await h.post(call(tool, args), { Authorization: `Bearer ${token}` })).status;

  // Each format gets its own admin: an answer is cached per token, which would hide the second lookup.
  const admins = {
    JWT: ['acme/alice', 'acme', 'globex'],
    'JWT-Empty': ['acme/alice', 'acme', 'globex'],
    'JWT-Standard': ['globex/carol', 'globex', 'acme'],
    'JWT-Custom': ['globex/carol', 'globex', 'acme'],
  } as const;
  for (const format of ['JWT', 'JWT-Empty', 'JWT-Standard', 'JWT-Custom'] as const) {
    it(`${format}: an organization admin is resolved by asking Casdoor about the token, once, and confined to their organization`, async () => {
      const [user, own, other] = admins[format];
      const token = await userToken(user, format);
      const before = h.sandbox.requests.length;
      expect(await status(token, 'get_applications', { organization: own })).toBe(200);
      expect(await status(token, 'get_applications', { organization: other })).toBe(403);
      const asked = h.sandbox.requests.slice(before).filter((r) => r.path === '/api/login/oauth/introspect' || r.path === '/api/get-account');
      // One introspection and one get-account with the token as Bearer; the second call used the cache.
      expect(asked.map((r) => `${r.path} ${r.auth}`)).toEqual(['/api/login/oauth/introspect basic', '/api/get-account bearer']);
    });

    it(`${format}: a plain user gets only what Casdoor gives a non-admin`, async () => {
      const token = await userToken('acme/bob', format);
      expect(await status(token, 'get_applications', {})).toBe(403);
      expect(await status(token, 'get_application', { id: 'admin/acme-portal' })).toBe(200);
      expect(await status(token, 'delete_application', { id: 'admin/acme-portal' })).toBe(403);
    });
  }

  it('a forbidden user\'s token is refused with 401', async () => {
    const bob = h.sandbox.data.users.get('acme/bob') as Json;
    h.sandbox.data.users.put({ ...structuredClone(bob), name: 'dave', id: 'dave-uuid', isAdmin: true, isForbidden: true });
    const token = await userToken('acme/dave', 'JWT-Empty');
    const res = await h.post(rpc('tools/list'), { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(((await res.json()) as Json).error.data.reason).toMatch(/^Casdoor does not accept this token/);
  });

  it('the caller\'s token goes to Casdoor only to ask whose it is, never with a tool call, and is never logged', async () => {
    const token = await h.token('read:application write:application');
    const before = h.sandbox.requests.length;
    const headers = { Authorization: `Bearer ${token}` };
    await h.post(rpc('tools/list'), headers);
    await h.post(call('get_applications', {}), headers);
    await h.post(call('get_application', { id: 'admin/nope' }), headers);
    await h.post(call('add_application', { application: { name: 'fwd-check', organization: 'acme' } }), headers);
    const seen = h.sandbox.requests.slice(before);
    const [introspect, account, ...tools] = seen;
    expect([introspect!.path, account!.path, account!.auth]).toEqual(['/api/login/oauth/introspect', '/api/get-account', 'bearer']);
    expect(tools.length).toBeGreaterThan(2);
    expect(tools.every((r) => r.auth === 'basic')).toBe(true);
    expect(seen.some((r) => r.query.includes(token.slice(-20)))).toBe(false);
    expect(h.rawLogs()).not.toContain(token.slice(-40));
  });
});
