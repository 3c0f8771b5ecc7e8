// CASDOOR_RECORDS (issue 15, build item 4): each write tool call leaves a record in Casdoor naming the
// caller the server resolved, fire and forget; off by default.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasdoorRecord } from '../../src/casdoor/types.js';
import { NO_METRICS, type Metrics } from '../../src/observe/metrics.js';
import { createCasdoorRecorder } from '../../src/observe/records.js';
import type { AuditEntry } from '../../src/ops/audit.js';
import { newScope } from '../../src/ops/request-context.js';
import { startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;
const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
const METRICS = 'records-metrics-0123456789';

/** Waits (at most 3 s) until the sandbox holds `count` records. */
async function records(h: Harness, count: number): Promise<readonly Json[]> {
  for (let i = 0; i < 60 && h.sandbox.records.length < count; i++) await new Promise((r) => setTimeout(r, 50));
  return h.sandbox.records;
}

async function metric(h: Harness, outcome: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', h.server.origin), { headers: bearer(METRICS) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`casdoor_mcp_casdoor_records_total{outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('Casdoor records on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CASDOOR_RECORDS: 'on', MCP_METRICS_TOKEN: METRICS });
  });
  afterAll(() => h.close());

  it('a write by a user leaves a record naming the user, the tool, the target and the outcome; a read leaves none', async () => {
    const alice = await h.client(bearer(await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'admin', audience: [h.url] })));
    await alice.callTool({ name: 'get_application', arguments: { id: 'admin/acme-portal' } });
    const made = await alice.callTool({ name: 'add_application', arguments: { application: { name: 'recorded-app', organization: 'acme' } } });
    expect(made.isError).toBeFalsy();
    const [record] = await records(h, 1);
    expect(record).toMatchObject({
      owner: 'acme', organization: 'acme', user: 'alice', method: 'POST', action: 'add_application',
      requestUri: '/mcp?tool=add_application&id=admin/recorded-app', clientIp: '127.0.0.1', statusCode: 200, isTriggered: false,
    });
    expect(record!.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(JSON.parse(record!.object as string)).toMatchObject({ tool: 'add_application', target: 'admin/recorded-app', organization: 'acme', caller: { subject: 'acme/alice', auth: 'token' } });
    expect(JSON.parse(record!.response as string)).toEqual({ status: 'ok', msg: '', outcome: 'ok', casdoor: { calls: expect.any(Number), status: 200 } });
    // Casdoor refusing a write is recorded too.
    h.sandbox.faults.paths['/api/add-application'] = { envelopeError: 'The application quota is exceeded' };
    const again = await alice.callTool({ name: 'add_application', arguments: { application: { name: 'refused-app', organization: 'acme' } } });
    h.sandbox.faults.paths = {};
    expect(again.isError).toBe(true);
    const refused = (await records(h, 2))[1]!;
    expect(JSON.parse(refused.response as string)).toMatchObject({ status: 'error', outcome: 'tool_error', msg: 'tool_error: casdoor_rejected', casdoor: { error: 'casdoor_rejected' } });
    // And the server's own refusal (another organization's user), with the caller it resolved.
    await expect(alice.callTool({ name: 'delete_user', arguments: { id: 'globex/carol', confirm: true, name: 'carol' } })).rejects.toThrow(/forbidden/);
    const forbidden = (await records(h, 3))[2]!;
    expect(forbidden).toMatchObject({ organization: 'acme', user: 'alice', action: 'delete_user', statusCode: 403 });
    expect(JSON.parse(forbidden.response as string)).toMatchObject({ status: 'error', outcome: 'forbidden' });
    expect(h.sandbox.records).toHaveLength(3);
    expect(await metric(h, 'sent')).toBe(3);
  });

  it("an application's write is kept under the server's own organization, as app/<name>", async () => {
    const before = h.sandbox.records.length;
    const admin = await h.client(bearer(await h.token('admin')));
    await admin.callTool({ name: 'update_application', arguments: { id: 'admin/acme-portal', application: { displayName: 'Portal (recorded)' } } });
    const record = (await records(h, before + 1))[before]!;
    expect(record).toMatchObject({ organization: h.sandbox.demo.organization, user: `app/${h.sandbox.demo.application}`, action: 'update_application' });
  });

  it('a failing or slow records endpoint neither fails nor slows the call; failures are counted', async () => {
    const before = h.sandbox.records.length;
    const admin = await h.client(bearer(await h.token('admin')));
    h.sandbox.faults.paths['/api/add-record'] = { status: 500 };
    try {
      const res = await admin.callTool({ name: 'update_application', arguments: { id: 'admin/acme-portal', application: { displayName: 'Portal 2' } } });
      expect(res.isError).toBeFalsy();
      for (let i = 0; i < 60 && (await metric(h, 'failed')) < 1; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await metric(h, 'failed')).toBe(1);
      h.sandbox.faults.paths['/api/add-record'] = { delayMs: 2_000 };
      const settled = async () => (await metric(h, 'sent')) + (await metric(h, 'failed'));
      const pending = await settled();
      const slow = await admin.callTool({ name: 'update_application', arguments: { id: 'admin/acme-portal', application: { displayName: 'Portal 3' } } });
      expect(slow.isError).toBeFalsy();
      // The call has its answer while its record is still waiting on Casdoor: neither sent nor failed yet.
      expect(await settled()).toBe(pending);
      for (let i = 0; i < 80 && (await settled()) === pending; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await settled()).toBe(pending + 1);
    } finally {
      h.sandbox.faults.paths = {};
    }
    // The refused record is lost (counted as failed); the slow one lands once Casdoor answers.
    expect(h.sandbox.records).toHaveLength(before + 1);
  });
});

describe('Casdoor records off (the default)', () => {
  it('a write leaves no record', async () => {
    const h = await startHarness();
    try {
      const admin = await h.client(bearer(await h.token('admin')));
      const res = await admin.callTool({ name: 'update_application', arguments: { id: 'admin/acme-portal', application: { displayName: 'Unrecorded' } } });
      expect(res.isError).toBeFalsy();
      await new Promise((r) => setTimeout(r, 300));
      expect(h.sandbox.records).toEqual([]);
      expect(h.sandbox.requests.filter((r) => r.path === '/api/add-record')).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('the record queue', () => {
  it('is bounded: past its size records are dropped and counted, never waited for', async () => {
    const counted: string[] = [];
    const metrics: Metrics = { ...NO_METRICS, casdoorRecord: (o) => void counted.push(o) };
    const sent: CasdoorRecord[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const recorder = createCasdoorRecorder({
      casdoor: { addRecord: async (r) => { sent.push(r); await stuck; } },
      isWrite: (t) => t.startsWith('update_'),
      ownOrganization: 'built-in',
      mcpPath: '/mcp',
      metrics,
      logger: pino({ level: 'silent' }),
      queueSize: 2,
      senders: 1,
    });
    const scope = newScope('http', 'r1', '127.0.0.1');
    scope.method = 'tools/call';
    scope.caller = { kind: 'cookie', principal: { type: 'user', id: 'acme/alice', owner: 'acme', name: 'alice', isAdmin: true } };
    const ok: AuditEntry = { outcome: 'ok', httpStatus: 200 };
    recorder.sink(scope, ok, { tool: 'get_user', target: 'acme/bob' });
    for (let i = 0; i < 4; i++) recorder.sink(scope, ok, { tool: 'update_user', target: 'acme/bob' });
    // Two queued, two dropped; the sender picks the first one up on the next turn.
    expect(counted).toEqual(['dropped', 'dropped']);
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(1);
    release();
    await recorder.drain();
    expect(sent).toHaveLength(2);
    expect(counted).toEqual(['dropped', 'dropped', 'sent', 'sent']);
  });
});
