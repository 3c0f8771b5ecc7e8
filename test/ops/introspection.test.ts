import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/sandbox/index.js';
import { call, startHarness, type Harness } from '../support/harness.js';

const get = () => call('get_application', { id: 'admin/acme-api' });
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

describe('MCP_TOKEN_INTROSPECTION=true (cache 0 s)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MCP_TOKEN_INTROSPECTION: 'true', MCP_TOKEN_INTROSPECTION_CACHE_SECONDS: '0' });
  });
  afterAll(() => h.close());

  it('a token Casdoor revoked stops working at once: 401 invalid_token', async () => {
    const token = await h.token('read:application');
    expect((await h.post(get(), bearer(token))).status).toBe(200);
    expect(h.sandbox.requests.some((r) => r.path === '/api/login/oauth/introspect' && r.auth === 'basic')).toBe(true);
    expect(h.sandbox.store.tokens.delete(hashToken(token))).toBe(true); // revoked in Casdoor
    const res = await h.post(get(), bearer(token));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(((await res.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe('token revoked or user disabled');
  });

  it('a user disabled in Casdoor stops working at once', async () => {
    const token = await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'read:application', audience: [h.url] });
    expect((await h.post(call('get_application', { id: 'admin/acme-portal' }), bearer(token))).status).toBe(200);
    h.sandbox.store.users.get('acme/alice')!.isForbidden = true;
    try {
      expect((await h.post(call('get_application', { id: 'admin/acme-portal' }), bearer(token))).status).toBe(401);
    } finally {
      h.sandbox.store.users.get('acme/alice')!.isForbidden = false;
    }
  });

  it('a forged token never reaches Casdoor, and Casdoor unreachable is a 503, not a pass', async () => {
    const before = h.sandbox.requests.filter((r) => r.path === '/api/login/oauth/introspect').length;
    expect((await h.post(get(), bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'))).status).toBe(401);
    expect(h.sandbox.requests.filter((r) => r.path === '/api/login/oauth/introspect').length).toBe(before);
    const token = await h.token('read:application');
    await h.post(get(), bearer(token)); // verified and its JWKS cached while Casdoor is up
    h.sandbox.faults.status5xx = 503;
    try {
      expect((await h.post(get(), bearer(token))).status).toBe(503);
    } finally {
      h.sandbox.faults.status5xx = null;
    }
  });
});

describe('introspection caching and the default', () => {
  it('with the default 30 s cache, one introspection per token; without introspection, a revoked token is accepted until exp', async () => {
    const cached = await startHarness({ MCP_TOKEN_INTROSPECTION: 'true' });
    const plain = await startHarness();
    try {
      const token = await cached.token('read:application');
      const count = () => cached.sandbox.requests.filter((r) => r.path === '/api/login/oauth/introspect').length;
      for (let i = 0; i < 5; i++) expect((await cached.post(get(), bearer(token))).status).toBe(200);
      expect(count()).toBe(1);
      cached.sandbox.store.tokens.delete(hashToken(token));
      // Within the cache window the answer stands: the documented cost of caching.
      expect((await cached.post(get(), bearer(token))).status).toBe(200);

      const other = await plain.token('read:application');
      plain.sandbox.store.tokens.delete(hashToken(other));
      expect((await plain.post(get(), bearer(other))).status).toBe(200);
      expect(plain.sandbox.requests.some((r) => r.path === '/api/login/oauth/introspect')).toBe(false);
    } finally {
      await Promise.all([cached.close(), plain.close()]);
    }
  });
});
