import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Line = Record<string, any>;

describe('the audit log and request ids', () => {
  let h: Harness;
  const secrets: string[] = [];
  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
  const auditOf = (requestId: string): Line[] => h.logs.filter((l) => l.audit === true && l.requestId === requestId);

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('writes one line per call and per refusal, with the fields an operator needs', async () => {
    const read = await h.token('read:application');
    const write = await h.token('read:application write:application');
    const alice = await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'read:application write:application', audience: [h.url] });
    const cookie = await h.sandbox.login('built-in', 'admin', '123');
    secrets.push(read, write, alice, cookie, h.sandbox.demo.clientSecret, 'AUDIT-SECRET-VALUE');
    for (const app of h.sandbox.data.applications.list()) secrets.push(app.clientSecret);

    // The scripted sequence: allowed, insufficient scope, forbidden, invalid token.
    const steps = [
      await h.post(call('get_application', { id: 'admin/acme-portal' }), { ...bearer(read), 'X-Request-Id': 'audit-ok' }),
      await h.post(call('add_application', { application: { name: 'audit-x', organization: 'acme', clientSecret: 'AUDIT-SECRET-VALUE' } }), { ...bearer(read), 'X-Request-Id': 'audit-scope' }),
      await h.post(call('get_applications', { organization: 'globex' }), { ...bearer(alice), 'X-Request-Id': 'audit-forbidden' }),
      await h.post(call('get_applications', {}), { Authorization: 'Bearer not.a.token', 'X-Request-Id': 'audit-invalid' }),
    ];
    expect(steps.map((r) => r.status)).toEqual([200, 403, 403, 401]);
    expect(steps.map((r) => r.headers.get('x-request-id'))).toEqual(['audit-ok', 'audit-scope', 'audit-forbidden', 'audit-invalid']);
    // Plus a write that passes with a secret in its arguments, and a cookie caller.
    expect((await h.post(call('add_application', { application: { name: 'audit-y', organization: 'acme', clientSecret: 'AUDIT-SECRET-VALUE' } }), { ...bearer(write), 'X-Request-Id': 'audit-write' })).status).toBe(200);
    expect((await h.post(call('get_application', { id: 'admin/acme-api' }), { Cookie: `casdoor_session_id=${cookie}`, 'X-Request-Id': 'audit-cookie' })).status).toBe(200);

    for (const id of ['audit-ok', 'audit-scope', 'audit-forbidden', 'audit-invalid', 'audit-write', 'audit-cookie']) expect(auditOf(id), id).toHaveLength(1);
    const [ok] = auditOf('audit-ok');
    expect(ok).toMatchObject({
      level: 30,
      transport: 'http',
      caller: { auth: 'token', subject: 'admin/casdoor-mcp', clientId: h.sandbox.demo.clientId, scopes: ['read:application'] },
      method: 'tools/call',
      tool: 'get_application',
      target: 'admin/acme-portal',
      outcome: 'ok',
      httpStatus: 200,
      casdoor: { calls: 1, status: 200 },
    });
    expect(typeof ok!.time).toBe('number');
    expect(ok!.latencyMs).toBeGreaterThanOrEqual(0);

    expect(auditOf('audit-scope')[0]).toMatchObject({
      level: 40, tool: 'add_application', target: 'admin/audit-x', organization: 'acme',
      outcome: 'insufficient_scope', httpStatus: 403, rpcCode: -32001, requiredScope: 'write:application',
    });
    expect(auditOf('audit-scope')[0]).not.toHaveProperty('casdoor'); // refused before Casdoor

    expect(auditOf('audit-forbidden')[0]).toMatchObject({
      level: 40, caller: { auth: 'token', subject: 'acme/alice', organization: 'acme' }, tool: 'get_applications', organization: 'globex',
      outcome: 'forbidden', httpStatus: 403, rpcCode: -32013, rule: 'own_organization_only',
    });
    expect(auditOf('audit-invalid')[0]).toMatchObject({ level: 40, caller: { auth: 'none' }, tool: 'get_applications', outcome: 'invalid_token', httpStatus: 401, rpcCode: -32011 });
    expect(auditOf('audit-write')[0]).toMatchObject({ level: 30, tool: 'add_application', target: 'admin/audit-y', outcome: 'ok' });
    expect(auditOf('audit-cookie')[0]).toMatchObject({ caller: { auth: 'cookie', subject: 'built-in/admin', organization: 'built-in' }, outcome: 'ok' });
  });

  it('records tool errors with what Casdoor answered', async () => {
    const read = await h.token('read:application');
    secrets.push(read);
    await h.post(call('get_application', { id: 'admin/no-such-app' }), { ...bearer(read), 'X-Request-Id': 'audit-missing' });
    expect(auditOf('audit-missing')[0]).toMatchObject({ level: 30, outcome: 'tool_error', casdoor: { calls: 1, status: 200 } });
    h.sandbox.faults.status5xx = 502;
    try {
      await h.post(call('get_application', { id: 'admin/acme-api' }), { ...bearer(read), 'X-Request-Id': 'audit-502' });
    } finally {
      h.sandbox.faults.status5xx = null;
    }
    expect(auditOf('audit-502')[0]).toMatchObject({ outcome: 'tool_error', casdoor: { status: 502, error: 'casdoor_http' } });
  });

  it('echoes a well-formed X-Request-Id on every response, and replaces anything else', async () => {
    const mine = await h.post(rpc('tools/list'), { 'X-Request-Id': 'trace-1:a.b_c-d' });
    expect(mine.headers.get('x-request-id')).toBe('trace-1:a.b_c-d');
    for (const bad of ['has space', 'x'.repeat(129), 'inject\u0000']) {
      const res = await fetch(new URL('/healthz', h.url), { headers: { 'X-Request-Id': bad.replace('\u0000', '%00') } });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    for (const path of ['/healthz', '/readyz', '/nope', '/.well-known/oauth-protected-resource']) {
      expect((await fetch(new URL(path, h.url))).headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
    }
    const get = await fetch(h.url); // 405 on the MCP path
    expect(get.status).toBe(405);
    expect(get.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never writes a token, cookie or secret anywhere in the log output', async () => {
    // Its own traffic with fresh credentials, so it proves something when run alone too.
    const token = await h.token('read:application write:application');
    const cookie = await h.sandbox.login('built-in', 'admin', '123');
    secrets.push(token, cookie, 'AUDIT-OWN-SECRET-VALUE', h.sandbox.demo.clientSecret);
    const sent = [
      await h.post(call('get_application', { id: 'admin/acme-portal' }), bearer(token)),
      await h.post(call('add_application', { application: { name: 'audit-own', organization: 'acme', clientSecret: 'AUDIT-OWN-SECRET-VALUE' } }), bearer(token)),
      await h.post(call('get_applications', {}), { Cookie: `casdoor_session_id=${cookie}` }),
      await h.post(call('get_applications', {}), { Authorization: `Bearer ${token}x` }),
    ];
    expect(sent.map((r) => r.status)).toEqual([200, 200, 200, 401]);
    for (const app of h.sandbox.data.applications.list()) secrets.push(app.clientSecret);
    expect(h.logs.filter((l) => l.audit === true).length).toBeGreaterThanOrEqual(sent.length);
    const raw = h.rawLogs();
    expect(raw.length).toBeGreaterThan(0);
    for (const s of secrets) {
      expect(s.length).toBeGreaterThan(8);
      expect(raw.includes(s), `a secret of length ${s.length} is in the log`).toBe(false);
    }
    expect(raw).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/); // no JWT at all
  });
});
