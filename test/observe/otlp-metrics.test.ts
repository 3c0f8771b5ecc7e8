import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { OtlpMetricPoint } from '../../src/sandbox/otlp-metrics.js';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, request counts and latencies are also exported as OTLP
 * metrics (protobuf) to <endpoint>/v1/metrics. The receiver is a second sandbox, which decodes them.
 */
describe('OpenTelemetry metrics over OTLP/HTTP protobuf', () => {
  let collector: Sandbox;
  let h: Harness;

  beforeAll(async () => {
    collector = await startSandbox();
    h = await startHarness({ OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/api`, OTEL_SERVICE_NAME: 'mcp-metrics-under-test', OTEL_METRIC_EXPORT_INTERVAL: '300' });
  });
  afterAll(async () => {
    await h.close();
    await collector.stop();
  });

  /** The newest exported point of `name` matching `attrs`, waiting for at most 10 s. */
  async function point(name: string, attrs: Record<string, unknown>, ok: (p: OtlpMetricPoint) => boolean): Promise<OtlpMetricPoint | undefined> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = collector.metrics.filter((p) => p.name === name && Object.entries(attrs).every(([k, v]) => p.attributes[k] === v)).at(-1);
      if ((found && ok(found)) || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('exports request counts and the MCP operation duration histogram, by method, tool and outcome', async () => {
    const token = await h.token('read:application');
    const auth = { Authorization: `Bearer ${token}` };
    expect((await h.post(call('get_application', { id: 'admin/acme-portal' }), auth)).status).toBe(200);
    expect((await h.post(call('get_application', { id: 'admin/acme-portal' }), auth)).status).toBe(200);
    expect((await h.post(rpc('tools/list'), auth)).status).toBe(200);
    expect((await h.post(call('delete_application', { id: 'admin/acme-portal' }), auth)).status).toBe(403);

    const duration = await point('mcp.server.operation.duration', { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'get_application' }, (p) => p.count === 2);
    expect(duration).toMatchObject({ kind: 'histogram', unit: 's', service: 'mcp-metrics-under-test', count: 2, attributes: { 'casdoor_mcp.outcome': 'ok' } });
    expect(duration!.sum).toBeGreaterThan(0);
    expect(duration!.explicitBounds).toHaveLength(13);
    expect(duration!.bucketCounts!.reduce((a, b) => a + b, 0)).toBe(2);

    const refused = await point('mcp.server.operation.duration', { 'gen_ai.tool.name': 'delete_application' }, (p) => p.count === 1);
    expect(refused).toMatchObject({ kind: 'histogram', count: 1, attributes: { 'mcp.method.name': 'tools/call', 'casdoor_mcp.outcome': 'insufficient_scope', 'error.type': 'insufficient_scope' } });
    const list = await point('mcp.server.operation.duration', { 'mcp.method.name': 'tools/list' }, (p) => p.count === 1);
    expect(list?.count).toBe(1);
    const identity = await point('casdoor_mcp.identity_cache.lookups', { 'casdoor_mcp.credential': 'token', 'casdoor_mcp.result': 'hit' }, (p) => (p.value ?? 0) >= 3);
    expect(identity).toMatchObject({ kind: 'sum', value: 3 });
    const casdoor = await point('casdoor_mcp.casdoor.call.duration', { 'casdoor_mcp.casdoor.operation': 'getApplication', 'casdoor_mcp.outcome': 'ok' }, (p) => (p.count ?? 0) >= 2);
    expect(casdoor?.count).toBeGreaterThanOrEqual(2);
  });

  it('the sandbox takes OTLP metrics as protobuf only', async () => {
    const res = await fetch(`${collector.url}/api/v1/metrics`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(415);
  });
});
