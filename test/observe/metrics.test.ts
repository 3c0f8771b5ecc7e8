import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

const TOKEN = 'metrics-token-0123456789abcdef';

/** A value of one series in Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const [series, value] = [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)];
    if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) return Number(value);
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('Prometheus metrics', () => {
  let h: Harness;
  let token: string;
  const metricsUrl = () => new URL('/metrics', h.server.origin).href;

  beforeAll(async () => {
    h = await startHarness({ MCP_METRICS_TOKEN: TOKEN, MCP_RATE_LIMIT_READS_PER_MINUTE: '2' });
    token = await h.token('read:application');
  });
  afterAll(() => h.close());

  it('/metrics answers only to the metrics token', async () => {
    expect((await fetch(metricsUrl())).status).toBe(401);
    expect((await fetch(metricsUrl(), { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    const res = await fetch(metricsUrl(), { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts requests by method, tool and outcome, Casdoor calls, and rate-limit refusals', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    expect((await h.post(call('get_application', { id: 'admin/acme-portal' }), auth)).status).toBe(200);
    expect((await h.post(call('delete_application', { id: 'admin/acme-portal' }), auth)).status).toBe(403);
    expect((await h.post(rpc('tools/list'), auth)).status).toBe(200);
    expect((await h.post(rpc('tools/list'), auth)).status).toBe(429);
    const text = await (await fetch(metricsUrl(), { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(sample(text, 'casdoor_mcp_requests_total', { method: 'tools/call', tool: 'get_application', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'casdoor_mcp_requests_total', { method: 'tools/call', tool: 'delete_application', outcome: 'insufficient_scope' })).toBe(1);
    expect(sample(text, 'casdoor_mcp_requests_total', { method: 'tools/list', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'casdoor_mcp_requests_total', { method: 'tools/list', outcome: 'rate_limited' })).toBe(1);
    expect(sample(text, 'casdoor_mcp_rate_limit_refusals_total', { kind: 'read' })).toBe(1);
    expect(sample(text, 'casdoor_mcp_request_duration_seconds_count', { method: 'tools/call', tool: 'get_application' })).toBe(1);
    expect(sample(text, 'casdoor_mcp_casdoor_calls_total', { operation: 'getApplication', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'casdoor_mcp_casdoor_call_duration_seconds_count', { operation: 'getApplication' })).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('a made-up method or tool name does not become a label', async () => {
    await h.post(rpc('x/made-up-method-1'), {});
    await h.post(call('made_up_tool_1', {}), { Authorization: `Bearer ${token}` });
    const text = await (await fetch(metricsUrl(), { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(text).not.toContain('made-up-method-1');
    expect(text).not.toContain('made_up_tool_1');
  });
});

describe('identity cache metrics', () => {
  it('counts identity cache look-ups: the first sight of a credential is a miss, the next ones hits', async () => {
    // A harness of its own: first sights of credentials spend the address's allowance.
    const h = await startHarness({ MCP_METRICS_TOKEN: TOKEN });
    try {
      const read = async () => (await fetch(new URL('/metrics', h.server.origin), { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
      const before = await read();
      const count = (text: string, credential: string, result: string) => sample(text, 'casdoor_mcp_identity_cache_total', { credential, result }) ?? 0;
      const user = await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'read:application', audience: [h.url] });
      const cookie = await h.sandbox.login('globex', 'carol', 'carol-pass');
      expect((await h.post(rpc('ping'), { Authorization: `Bearer ${user}` })).status).toBe(200);
      expect((await h.post(rpc('ping'), { Authorization: `Bearer ${user}` })).status).toBe(200);
      expect((await h.post(rpc('ping'), { Cookie: `casdoor_session_id=${cookie}` })).status).toBe(200);
      expect((await h.post(rpc('ping'), { Cookie: `casdoor_session_id=${cookie}` })).status).toBe(200);
      // A token the verifier refuses is remembered as refused after its first sight.
      expect((await h.post(rpc('ping'), { Authorization: 'Bearer not.a.jwt' })).status).toBe(401);
      expect((await h.post(rpc('ping'), { Authorization: 'Bearer not.a.jwt' })).status).toBe(401);
      const after = await read();
      for (const credential of ['token', 'cookie']) {
        expect(count(after, credential, 'hit') - count(before, credential, 'hit')).toBe(1);
      }
      expect(count(after, 'token', 'miss') - count(before, 'token', 'miss')).toBe(2);
      expect(count(after, 'cookie', 'miss') - count(before, 'cookie', 'miss')).toBe(1);
      expect(count(after, 'token', 'refused') - count(before, 'token', 'refused')).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe('metrics off by default, or on a port of their own', () => {
  it('without MCP_METRICS_TOKEN or MCP_METRICS_PORT there is no /metrics', async () => {
    const h = await startHarness();
    try {
      expect((await fetch(new URL('/metrics', h.server.origin))).status).toBe(404);
    } finally {
      await h.close();
    }
  });

  it('MCP_METRICS_PORT serves /metrics there without a token, and not on the MCP port', async () => {
    const port = await freePort();
    const h = await startHarness({ MCP_METRICS_PORT: String(port) });
    try {
      await h.post(rpc('ping'));
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(sample(await res.text(), 'casdoor_mcp_requests_total', { method: 'ping', outcome: 'ok' })).toBe(1);
      expect((await fetch(new URL('/metrics', h.server.origin))).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
