import type { Logger } from 'pino';
import type { OtlpMetricsSettings } from './otel-metrics.js';

/**
 * What the server counts, for Prometheus (/metrics) and/or OTLP (OTEL_EXPORTER_OTLP_ENDPOINT). Off
 * by default: then NO_METRICS is used and neither prom-client nor the OpenTelemetry SDK is loaded.
 * Labels are bounded sets (methods, tool names, outcomes), never callers.
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
  /** Exports what is aggregated now (OTLP; tests). */
  flush(): Promise<void>;
  /** Exports a last time and stops (OTLP). */
  shutdown(): Promise<void>;
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
  flush: async () => {},
  shutdown: async () => {},
};

export interface MetricsSettings {
  /** /metrics served (MCP_METRICS_TOKEN or MCP_METRICS_PORT). */
  prometheus: boolean;
  /** OTLP export, when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  otlp: OtlpMetricsSettings | undefined;
}

export async function createMetrics(settings: MetricsSettings, logger: Logger): Promise<Metrics> {
  const sinks: Metrics[] = [];
  if (settings.prometheus) sinks.push((await import('./prometheus.js')).createPrometheusMetrics());
  if (settings.otlp) {
    sinks.push((await import('./otel-metrics.js')).createOtelMetrics(settings.otlp, logger));
    logger.info({ endpoint: `${settings.otlp.endpoint}/v1/metrics`, intervalMs: settings.otlp.intervalMs }, 'OpenTelemetry metrics on (OTLP/HTTP protobuf)');
  }
  if (sinks.length === 0) return NO_METRICS;
  if (sinks.length === 1) return sinks[0]!;
  return both(sinks[0]!, sinks[1]!);
}

/** Prometheus and OTLP together: each count goes to both; /metrics renders the first. */
function both(prometheus: Metrics, otlp: Metrics): Metrics {
  return {
    enabled: true,
    request: (...a) => (prometheus.request(...a), otlp.request(...a)),
    casdoorCall: (...a) => (prometheus.casdoorCall(...a), otlp.casdoorCall(...a)),
    rateLimited: (k) => (prometheus.rateLimited(k), otlp.rateLimited(k)),
    casdoorRecord: (o) => (prometheus.casdoorRecord(o), otlp.casdoorRecord(o)),
    identityCache: (c, r) => (prometheus.identityCache(c, r), otlp.identityCache(c, r)),
    sharedStoreUp: (up) => (prometheus.sharedStoreUp(up), otlp.sharedStoreUp(up)),
    render: () => prometheus.render(),
    flush: () => otlp.flush(),
    shutdown: () => otlp.shutdown(),
  };
}
