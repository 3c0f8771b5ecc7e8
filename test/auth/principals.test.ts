import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;

/** Who a token names, for tokens that do not say whether the user is an admin. */
describe('principals from every Casdoor token format', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const userToken = (user: string, tokenFormat: 'JWT' | 'JWT-Empty' | 'JWT-Standard') =>
    h.sandbox.issueToken({ kind: 'user', user, tokenFormat, scope: 'read:application write:application', audience: [h.url] });
  const status = async (token: string, tool: string, args: Json) => (await h.post(call(tool, args), { Authorization: `Bearer ${token}` })).status;

  // Each format gets its own admin: a user's answer is cached, which would hide the second lookup.
  const admins = { 'JWT-Empty': ['acme/alice', 'acme', 'globex'], 'JWT-Standard': ['globex/carol', 'globex', 'acme'] } as const;
  for (const format of ['JWT-Empty', 'JWT-Standard'] as const) {
    it(`${format}: an organization admin is found by asking Casdoor, once, and confined to their organization`, async () => {
      const [user, own, other] = admins[format];
      const token = await userToken(user, format);
      const before = h.sandbox.requests.length;
      const beforeApi = h.apiCalls();
      expect(await status(token, 'get_applications', { organization: own })).toBe(200);
      expect(await status(token, 'get_applications', { organization: other })).toBe(403);
      const lookups = h.sandbox.requests.slice(before).filter((r) => r.path === '/api/get-user');
      expect(lookups).toHaveLength(1); // the answer is cached
      expect(decodeURIComponent(lookups[0]!.query)).toContain(user);
    });

    it(`${format}: a plain user gets only what Casdoor gives a non-admin`, async () => {
      const token = await userToken('acme/bob', format);
      expect(await status(token, 'get_applications', {})).toBe(403);
      expect(await status(token, 'get_application', { id: 'admin/acme-portal' })).toBe(200);
      expect(await status(token, 'delete_application', { id: 'admin/acme-portal' })).toBe(403);
    });
  }

  it('a JWT-format token says isAdmin itself: no lookup', async () => {
    const token = await userToken('acme/alice', 'JWT');
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    expect(await status(token, 'get_applications', { organization: 'acme' })).toBe(200);
    expect(h.sandbox.requests.slice(before).filter((r) => r.path === '/api/get-user')).toHaveLength(0);
  });

  it('a forbidden user\'s JWT-Empty token is refused with 401', async () => {
    const bob = h.sandbox.store.users.get('acme/bob') as Json;
    h.sandbox.store.users.set('acme/dave', { ...structuredClone(bob), name: 'dave', id: 'dave-uuid', isAdmin: true, isForbidden: true });
    const token = await userToken('acme/dave', 'JWT-Empty');
    const res = await h.post(rpc('tools/list'), { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(((await res.json()) as Json).error.data.reason).toContain('forbidden or deleted');
  });

  it('the caller\'s token is never forwarded to Casdoor and never logged', async () => {
    const token = await h.token('read:application write:application');
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    const headers = { Authorization: `Bearer ${token}` };
    await h.post(rpc('tools/list'), headers);
    await h.post(call('get_applications', {}), headers);
    await h.post(call('get_application', { id: 'admin/nope' }), headers);
    await h.post(call('add_application', { application: { name: 'fwd-check', organization: 'acme' } }), headers);
    const seen = h.sandbox.requests.slice(before);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((r) => r.auth === 'basic')).toBe(true);
    expect(seen.some((r) => r.query.includes(token.slice(-20)))).toBe(false);
    expect(h.rawLogs()).not.toContain(token.slice(-40));
  });
});
