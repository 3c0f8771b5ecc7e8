import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { OtlpSpan } from '../../src/sandbox/otlp.js';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, every MCP request becomes a trace exported over OTLP/HTTP
 * protobuf. The receiver is a second sandbox's /api/v1/traces, which decodes the protobuf as
 * Casdoor's endpoint would accept it: the spans below were really encoded, sent and decoded.
 */
describe('OpenTelemetry traces over OTLP/HTTP protobuf', () => {
  let collector: Sandbox;
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    collector = await startSandbox();
    h = await startHarness({ OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/api`, OTEL_SERVICE_NAME: 'mcp-under-test' });
    token = await h.token('read:application');
  });
  afterAll(async () => {
    await h.close();
    await collector.stop();
  });

  async function spansOf(traceId: string, atLeast: number): Promise<OtlpSpan[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const spans = collector.spans.filter((s) => s.traceId === traceId);
      if (spans.length >= atLeast || Date.now() > deadline) return spans;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('a tools/call is a server span under the caller\'s params._meta.traceparent, with the authorization decision and the Casdoor call as children', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const body = call('get_application', { id: 'admin/acme-portal' });
    (body.params as Record<string, unknown>)._meta = { traceparent: `00-${traceId}-${parent}-01` };
    const res = await h.post(body, { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { isError?: boolean } }).result.isError).toBeFalsy();

    const spans = await spansOf(traceId, 4);
    const request = spans.find((s) => s.name === 'tools/call get_application');
    expect(request, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    expect(request!.parentSpanId).toBe(parent);
    expect(request!.kind).toBe(2); // SERVER
    expect(request!.service).toBe('mcp-under-test');
    expect(request!.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'get_application',
      'gen_ai.operation.name': 'execute_tool',
      'jsonrpc.request.id': '1',
      'casdoor_mcp.outcome': 'ok',
      'casdoor_mcp.caller.kind': 'token',
      'enduser.id': `admin/${h.sandbox.demo.application}`,
    });
    const children = spans.filter((s) => s.parentSpanId === request!.spanId);
    const authorize = children.find((s) => s.name === 'authorize');
    expect(authorize?.attributes['casdoor_mcp.decision']).toBe('allow');
    const casdoor = children.find((s) => s.name === 'casdoor getApplication');
    expect(casdoor?.kind).toBe(3); // CLIENT
    expect(casdoor?.statusCode).not.toBe(2);
    expect(children.map((s) => s.name)).toContain('authenticate');

    // The same token again: the identity cache answers, and no authenticate span is added.
    const again = call('get_application', { id: 'admin/acme-portal' });
    const second = '5bf92f3577b34da6a3ce929d0e0e4736';
    (again.params as Record<string, unknown>)._meta = { traceparent: `00-${second}-${parent}-01` };
    expect((await h.post(again, { Authorization: `Bearer ${token}` })).status).toBe(200);
    const names = (await spansOf(second, 3)).map((s) => s.name);
    expect(names).toContain('authorize');
    expect(names).not.toContain('authenticate');
  });

  it('takes the HTTP traceparent header when params._meta has none, and marks a refusal as an error', async () => {
    const traceId = 'a'.repeat(31) + '1';
    const res = await h.post(call('update_application', { application: { name: 'acme-portal' } }), {
      Authorization: `Bearer ${token}`,
      traceparent: `00-${traceId}-${'b'.repeat(16)}-01`,
    });
    expect(res.status).toBe(403);
    const spans = await spansOf(traceId, 3);
    const request = spans.find((s) => s.name === 'tools/call update_application');
    expect(request?.parentSpanId).toBe('b'.repeat(16));
    expect(request?.statusCode).toBe(2);
    expect(request?.attributes).toMatchObject({ 'casdoor_mcp.outcome': 'insufficient_scope', 'error.type': 'insufficient_scope', 'http.response.status_code': 403 });
    const authorize = spans.find((s) => s.name === 'authorize');
    expect(authorize?.attributes).toMatchObject({ 'casdoor_mcp.decision': 'deny', 'casdoor_mcp.required_scope': 'write:application' });
  });

  it('a request without trace context starts a new trace; a malformed traceparent is ignored, not an error', async () => {
    const before = collector.spans.length;
    const res = await h.post(rpc('tools/list'), { Authorization: `Bearer ${token}`, traceparent: 'not-a-traceparent' });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (!collector.spans.slice(before).some((s) => s.name === 'tools/list') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const list = collector.spans.slice(before).find((s) => s.name === 'tools/list');
    expect(list?.parentSpanId).toBe('');
    expect(list?.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('the OTLP endpoint takes protobuf only, as Casdoor\'s does', async () => {
    const res = await fetch(`${collector.url}/api/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(415);
    const bad = await fetch(`${collector.url}/api/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: new Uint8Array([0x0a, 0xff]) });
    expect(bad.status).toBe(400);
  });
});

describe('trace sampling (OTEL_TRACES_SAMPLER_ARG)', () => {
  it('at 0 no new trace is recorded, but a caller\'s sampled traceparent is followed', async () => {
    const collector = await startSandbox();
    const h = await startHarness({ OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/api`, OTEL_TRACES_SAMPLER_ARG: '0' });
    try {
      const token = await h.token('read:application');
      const traceId = 'c'.repeat(31) + '7';
      expect((await h.post(rpc('tools/list', undefined, 1), { Authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await h.post(rpc('tools/list', undefined, 2), { Authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${'d'.repeat(16)}-01` })).status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (!collector.spans.some((s) => s.traceId === traceId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1_500)); // one more export period: anything else would have arrived
      expect(collector.spans.length).toBeGreaterThan(0);
      expect(collector.spans.every((s) => s.traceId === traceId)).toBe(true);
    } finally {
      await h.close();
      await collector.stop();
    }
  });
});
