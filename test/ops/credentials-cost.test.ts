// Credentials before cost (issue 10, attack 5; issue 12, defect 12): resolving a new credential spends
// the address's allowance first, refused cookies cannot evict real sessions, and write allowances
// are spent per principal and client only once the gate admitted the call.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import scopesJson from '../../scopes.json' with { type: 'json' };
import { createAuthenticator } from '../../src/auth/authenticate.js';
import { createScopeRegistry } from '../../src/auth/scopes.js';
import { createTokenVerifier } from '../../src/auth/token-verifier.js';
import { createCasdoorAdapter } from '../../src/casdoor/adapter.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { TOOLS } from '../../src/tools/index.js';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;
const junkCookie = () => ({ Cookie: `casdoor_session_id=${randomBytes(16).toString('hex')}` });
const accountCalls = (h: Harness, from: number) => h.sandbox.requests.slice(from).filter((r) => r.path === '/api/get-account').length;

describe('junk credentials are rate limited before they reach Casdoor', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_READS_PER_MINUTE: '5', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '2' });
  });
  afterAll(() => h.close());

  it('once the address\'s allowance is spent, fresh junk cookies and tokens get 429 with Retry-After and no Casdoor call', async () => {
    for (let i = 0; i < 5; i++) expect((await h.post(rpc('tools/list'))).status).toBe(200);
    const before = h.sandbox.requests.length;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await h.post(rpc('tools/list'), i % 2 ? junkCookie() : { Authorization: `Bearer ${await h.sandbox.issueToken({ store: false })}` });
      statuses.push(res.status);
      if (i === 0) expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(statuses).toEqual(Array(20).fill(429));
    expect(h.sandbox.requests.slice(before).filter((r) => r.path.startsWith('/api/'))).toEqual([]);
  });

  it('an oversized cookie or one not in Casdoor\'s session-id format is a 401, without asking Casdoor', async () => {
    const before = h.sandbox.requests.length;
    for (const value of ['x'.repeat(20_000), 'not-a-session', `${'a'.repeat(31)}`, '../../etc']) {
      const res = await h.post(rpc('tools/list'), { Cookie: `casdoor_session_id=${value}` });
      expect(res.status).toBe(401);
      expect(((await res.json()) as Json).error.message).toBe('invalid_session');
    }
    expect(h.sandbox.requests.length).toBe(before);
  });
});

describe('refused cookies have their own cache', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_READS_PER_MINUTE: '0', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
  });
  afterAll(() => h.close());

  it('junk cookies do not evict a real session: it is not looked up again', async () => {
    const real = { Cookie: `casdoor_session_id=${await h.sandbox.login('acme', 'alice', 'alice-pass')}` };
    expect((await h.post(rpc('tools/list'), real)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      const statuses = await Promise.all(Array.from({ length: 50 }, () => h.post(rpc('tools/list'), junkCookie()).then((r) => r.status)));
      expect(statuses).toEqual(Array(50).fill(401));
    }
    const before = h.sandbox.requests.length;
    expect((await h.post(rpc('tools/list'), real)).status).toBe(200);
    expect(accountCalls(h, before)).toBe(0);
  });
});

describe('write allowances', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_READS_PER_MINUTE: '0', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '2' });
  });
  afterAll(() => h.close());

  const noop = () => call('delete_application', { id: 'admin/acme-portal' }); // a write that changes nothing without confirm

  it('refused writes spend nothing, and buckets are per principal and client', async () => {
    const issue = (scope: string, application?: string) =>
      h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope, audience: [h.url], ...(application ? { application } : {}) });
    const readOnly = { Authorization: `Bearer ${await issue('read:application')}` };
    for (let i = 0; i < 4; i++) expect((await h.post(noop(), readOnly)).status).toBe(403); // insufficient_scope
    const writer = { Authorization: `Bearer ${await issue('read:application write:application')}` };
    expect([(await h.post(noop(), writer)).status, (await h.post(noop(), writer)).status, (await h.post(noop(), writer)).status]).toEqual([200, 200, 429]);
    // The same user through another client has its own allowance.
    const other = { Authorization: `Bearer ${await issue('read:application write:application', 'acme-portal')}` };
    expect((await h.post(noop(), other)).status).toBe(200);
  });
});

describe('the authenticator\'s caches (small bounds, real sandbox Casdoor)', () => {
  it('refused cookies beyond the accepted-session bound still leave the sessions cached', async () => {
    const sandbox = await startSandbox();
    try {
      const adapter = createCasdoorAdapter({ endpoint: sandbox.url, ...sandbox.demo, timeoutMs: 5_000 });
      const verifier = createTokenVerifier({ issuer: sandbox.issuer, audiences: ['x'], jwksUrl: new URL(`${sandbox.url}/.well-known/casdoor-mcp/jwks`) });
      const scopes = createScopeRegistry(scopesJson, TOOLS.map((t) => t.name));
      const auth = createAuthenticator({ verifier, scopes, casdoor: adapter, resolve: async () => { throw new Error('no tokens here'); }, maxEntries: 20 });
      const sessions = await Promise.all(['alice', 'bob'].map((u) => sandbox.login('acme', u, `${u}-pass`)));
      for (const s of sessions) expect((await auth.authenticate({ authorization: [], sessionCookie: s })).kind).toBe('cookie');
      for (let i = 0; i < 60; i++) {
        await expect(auth.authenticate({ authorization: [], sessionCookie: randomBytes(16).toString('hex') })).rejects.toMatchObject({ rpcMessage: 'invalid_session' });
      }
      const before = sandbox.requests.length;
      for (const s of sessions) expect((await auth.authenticate({ authorization: [], sessionCookie: s })).kind).toBe('cookie');
      expect(sandbox.requests.length).toBe(before);
    } finally {
      await sandbox.stop();
    }
  });
});
