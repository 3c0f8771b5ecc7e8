/**
 * What the server counts for Prometheus. Off by default: then NO_METRICS is used and prom-client is
 * never loaded. Labels are bounded sets (methods, tool names, outcomes), never callers.
 */
export interface Metrics {
  readonly enabled: boolean;
  /** One MCP request finished: its JSON-RPC method, tool (tools/call), outcome and latency. */
  request(method: string, tool: string | undefined, outcome: string, seconds: number): void;
  /** One Casdoor API call: the adapter operation, ok or the CasdoorError code, and its latency. */
  casdoorCall(operation: string, outcome: string, seconds: number): void;
  rateLimited(kind: string): void;
  /** One write tool call's Casdoor record: sent, failed (Casdoor refused it or did not answer) or dropped (queue full). */
  casdoorRecord(outcome: 'sent' | 'failed' | 'dropped'): void;
  /** One look-up in the identity cache (who a credential is, as Casdoor answered): hit, miss or a remembered refusal. */
  identityCache(credential: 'token' | 'cookie', result: 'hit' | 'miss' | 'refused'): void;
  /** 1 while the shared store (Redis) is reachable, 0 while degraded; unset without one. */
  sharedStoreUp(up: boolean): void;
  /** The Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}

export const NO_METRICS: Metrics = {
  enabled: false,
  request() {},
  casdoorCall() {},
  rateLimited() {},
  casdoorRecord() {},
  identityCache() {},
  sharedStoreUp() {},
  render: async () => ({ contentType: 'text/plain', body: '' }),
};

export async function createMetrics(enabled: boolean): Promise<Metrics> {
  if (!enabled) return NO_METRICS;
  const { createPrometheusMetrics } = await import('./prometheus.js');
  return createPrometheusMetrics();
}
