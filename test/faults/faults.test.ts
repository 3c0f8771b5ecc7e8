// Fault injection: Casdoor down, slow past the timeout, answering 5xx, malformed JSON or status
// "error"; the JWKS down; keys rotated. For each: the caller gets a clear error (never a hang, a
// stack trace or a crash), /readyz says not ready while it lasts, and service comes back by itself.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SandboxFaults } from '../../src/sandbox/index.js';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;
const TIMEOUT_MS = 300;
const NO_FAULTS: SandboxFaults = { down: false, delayMs: 0, status5xx: null, malformedJson: false, envelopeError: null, jwksDown: false, paths: {} };

let h: Harness;
let token: string;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  h = await startHarness({
    CASDOOR_TIMEOUT_MS: String(TIMEOUT_MS),
    MCP_READINESS_CACHE_SECONDS: '0', // every /readyz probes afresh, so it follows the fault at once
    MCP_RATE_LIMIT_READS_PER_MINUTE: '0',
    MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0',
  });
  token = await h.token('admin');
  expect((await tool('get_applications', { pageSize: 1 })).isError).toBeFalsy(); // keys now cached
});
afterEach(() => {
  Object.assign(h.sandbox.faults, NO_FAULTS);
  vi.useRealTimers();
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await h?.close();
  expect(unhandled).toEqual([]);
});

/** A tools/call; the answer must come well within the timeout plus slack, and as HTTP 200. */
async function tool(name: string, args: Json, bearer = token): Promise<Json> {
  const started = Date.now();
  const res = await h.post(call(name, args, 11), { Authorization: `Bearer ${bearer}` });
  expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 2 + 3_000);
  const body = (await res.json()) as Json;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.id).toBe(11);
  return body.result;
}

async function readyz(): Promise<{ status: number; body: Json }> {
  const res = await fetch(new URL('/readyz', h.url));
  return { status: res.status, body: (await res.json()) as Json };
}

/** The error an agent sees: an isError result naming Casdoor and what to do, no internals. */
function expectClearToolError(result: Json, pattern: RegExp): void {
  expect(result.isError).toBe(true);
  const text = result.content[0].text as string;
  expect(text).toMatch(pattern);
  expect(text).toMatch(/retry|Check|Read the object|tell the operator/i);
  expect(text).not.toMatch(/\n\s+at |node:internal|ECONN|axios|Basic |clientSecret|\.ts:\d+/);
}

/** After the fault is cleared: ready again and the same call succeeds, with no restart. */
async function expectRecovery(): Promise<void> {
  Object.assign(h.sandbox.faults, NO_FAULTS);
  const deadline = Date.now() + 5_000;
  let ready = await readyz();
  while (ready.status !== 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    ready = await readyz();
  }
  expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });
  const result = await tool('get_applications', { pageSize: 1 });
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent.applications).toHaveLength(1);
}

describe('Casdoor faults: clear errors, /readyz, recovery', () => {
  const cases: [string, Partial<SandboxFaults>, RegExp, RegExp][] = [
    ['Casdoor down (connection dropped)', { down: true }, /could not be reached/, /^casdoor: casdoor_unreachable$/m],
    ['Casdoor slow past CASDOOR_TIMEOUT_MS', { delayMs: 1_000 }, new RegExp(`did not answer GET /api/get-applications within ${TIMEOUT_MS} ms`), /^casdoor: casdoor_timeout$/m],
    ['Casdoor answering HTTP 502', { status5xx: 502 }, /answered GET \/api\/get-applications with HTTP 502/, /^casdoor: casdoor_http$/m],
    ['Casdoor answering HTTP 500', { status5xx: 500 }, /HTTP 500/, /^casdoor: casdoor_http$/m],
    ['Casdoor answering malformed JSON', { malformedJson: true }, /not JSON|other than its JSON envelope/, /^casdoor: casdoor_bad_response$/m],
    ['Casdoor answering status "error"', { envelopeError: 'database is locked' }, /Casdoor refused GET \/api\/get-applications: database is locked/, /^casdoor: casdoor_rejected$/m],
  ];
  for (const [what, fault, toolMessage, reason] of cases) {
    it(`${what}: reads and writes fail clearly, /readyz is 503, service recovers by itself`, async () => {
      Object.assign(h.sandbox.faults, fault);
      expectClearToolError(await tool('get_applications', {}), toolMessage);
      expectClearToolError(await tool('add_application', { application: { name: `fault-${Date.now()}`, organization: 'acme' } }), /Casdoor/);
      // A request that needs no Casdoor is still served.
      const list = await h.post(rpc('tools/list'), { Authorization: `Bearer ${token}` });
      expect(list.status).toBe(200);
      const ready = await readyz();
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('not_ready');
      expect(ready.body.reasons.join('\n')).toMatch(reason);
      await expectRecovery();
    });
  }

  it('a credential that needs Casdoor to check (a session cookie) gets 503 + Retry-After while Casdoor is down, then works', async () => {
    const cookie = `casdoor_session_id=${await h.sandbox.login('built-in', 'admin', '123')}`;
    h.sandbox.faults.down = true;
    const res = await h.post(call('get_applications', { pageSize: 1 }, 12), { Cookie: cookie });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: 12, error: { code: -32603, message: expect.stringMatching(/Casdoor is unreachable/) } });
    await expectRecovery();
    const again = await h.post(call('get_applications', { pageSize: 1 }, 13), { Cookie: cookie });
    expect(again.status).toBe(200);
  });
});

describe('JWKS faults', () => {
  it('JWKS down: cached keys keep verifying new tokens, an unknown kid gets 401 (not 5xx), /readyz says why, then recovers', async () => {
    h.sandbox.faults.jwksDown = true;
    const fresh = await h.token('read:application'); // never seen: verified with the cached key
    expect((await tool('get_applications', { pageSize: 1 }, fresh)).isError).toBeFalsy();
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body.reasons.join('\n')).toMatch(/^jwks: jwks_http_error$/m);

    // An unknown kid, both inside jose's refetch cooldown and after it (a refetch then fails).
    const cert = h.sandbox.store.certs.get('admin/cert-built-in')!;
    const { importPKCS8, SignJWT, decodeJwt } = await import('jose');
    const key = await importPKCS8(cert.privateKey, 'RS256');
    const claims = decodeJwt(fresh);
    for (const advance of [0, 31_000]) {
      if (advance) {
        vi.useFakeTimers({ toFake: ['Date'] });
        vi.setSystemTime(Date.now() + advance);
      }
      const odd = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: `rotated-${advance}` }).sign(key);
      const res = await h.post(call('get_applications', {}, 14), { Authorization: `Bearer ${odd}` });
      expect(res.status, `unknown kid, clock +${advance} ms`).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error_description="token signing key not found"');
    }
    vi.useRealTimers();
    await expectRecovery();
  });

  it('JWKS down for longer than the key cache age: cached keys still verify (stale while the JWKS is unreachable)', async () => {
    h.sandbox.faults.jwksDown = true;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 11 * 60_000); // past the verifier's 10-minute JWKS cache age
    const fresh = await h.sandbox.issueToken({ scope: 'read:application' });
    const before = h.sandbox.requests.length;
    const res = await h.post(call('get_applications', { pageSize: 1 }, 15), { Authorization: `Bearer ${fresh}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.result.isError, JSON.stringify(body)).toBeFalsy();
    expect(body.result.structuredContent.applications).toHaveLength(1);
    // The cache really was stale: the verifier went back to the (unreachable) JWKS during this call.
    expect(h.sandbox.requests.slice(before).some((q) => /jwks$/.test(q.path))).toBe(true);
    // Stale keys still verify, they do not stop verifying: a token signed by another key under the same kid is refused.
    const { generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(decodeJwt(fresh)).setProtectedHeader(decodeProtectedHeader(fresh)).sign(privateKey);
    const refused = await h.post(call('get_applications', { pageSize: 1 }, 16), { Authorization: `Bearer ${forged}` });
    expect(refused.status).toBe(401);
    vi.useRealTimers();
    await expectRecovery();
  });

  it('keys rotated: a token signed with the new key is accepted after exactly one JWKS refetch', async () => {
    const old = await h.token('read:application');
    expect((await tool('get_applications', { pageSize: 1 }, old)).isError).toBeFalsy();
    await h.sandbox.rotateKey();
    const rotated = await h.token('read:application');
    // Casdoor's cache-less JWKS fetch may happen once per cooldown (30 s): move the clock past it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    const before = h.sandbox.requests.filter((r) => /^\/\.well-known\/(.+\/)?jwks$/.test(r.path)).length;
    expect((await tool('get_applications', { pageSize: 1 }, rotated)).isError).toBeFalsy();
    expect((await tool('get_applications', { pageSize: 1 }, rotated)).isError).toBeFalsy();
    const after = h.sandbox.requests.filter((r) => /^\/\.well-known\/(.+\/)?jwks$/.test(r.path)).length;
    expect(after - before).toBe(1);
    vi.useRealTimers();
    await expectRecovery();
  });
});
