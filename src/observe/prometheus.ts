import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from './metrics.js';

/** Loaded only when metrics are on. A registry of its own, so nothing global is shared with libraries. */
export function createPrometheusMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'casdoor_mcp_requests_total',
    help: 'MCP requests by JSON-RPC method, tool (tools/call) and outcome',
    labelNames: ['method', 'tool', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'casdoor_mcp_request_duration_seconds',
    help: 'MCP request latency from arrival to reply, by method and tool',
    labelNames: ['method', 'tool'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const casdoorCalls = new Counter({
    name: 'casdoor_mcp_casdoor_calls_total',
    help: 'Casdoor API calls by adapter operation and outcome (ok, or the error code)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const casdoorLatency = new Histogram({
    name: 'casdoor_mcp_casdoor_call_duration_seconds',
    help: 'Casdoor API call latency by adapter operation',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const limited = new Counter({
    name: 'casdoor_mcp_rate_limit_refusals_total',
    help: 'Requests refused by a rate limit, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const records = new Counter({
    name: 'casdoor_mcp_casdoor_records_total',
    help: 'Records of write tool calls for Casdoor (CASDOOR_RECORDS): sent, failed, or dropped because the queue was full',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const identity = new Counter({
    name: 'casdoor_mcp_identity_cache_total',
    help: 'Look-ups of who a credential is (as Casdoor answered) in the identity cache, by credential (token, cookie) and result (hit, miss, refused)',
    labelNames: ['credential', 'result'] as const,
    registers: [registry],
  });
  const store = new Gauge({
    name: 'casdoor_mcp_shared_store_up',
    help: '1 while the shared store (Redis) is reachable, 0 while the server runs degraded on local state',
    registers: [registry],
  });
  return {
    enabled: true,
    request(method, tool, outcome, seconds) {
      const t = tool ?? '';
      requests.inc({ method, tool: t, outcome });
      latency.observe({ method, tool: t }, seconds);
    },
    casdoorCall(operation, outcome, seconds) {
      casdoorCalls.inc({ operation, outcome });
      casdoorLatency.observe({ operation }, seconds);
    },
    rateLimited(kind) {
      limited.inc({ kind });
    },
    casdoorRecord(outcome) {
      records.inc({ outcome });
    },
    identityCache(credential, result) {
      identity.inc({ credential, result });
    },
    sharedStoreUp(up) {
      store.set(up ? 1 : 0);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    flush: async () => {},
    shutdown: async () => {},
  };
}
