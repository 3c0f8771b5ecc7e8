import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/** Loaded only by createMetrics (dynamic import) when OTEL_EXPORTER_OTLP_ENDPOINT is set. */

export interface OtlpMetricsSettings {
  /** The OTLP base URL; metrics go to <base>/v1/metrics as protobuf. */
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion: string;
  /** OTEL_METRIC_EXPORT_INTERVAL: how often the aggregates are exported, ms. */
  intervalMs: number;
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * The same counts as /metrics, as OpenTelemetry instruments: the MCP semantic conventions'
 * mcp.server.operation.duration (seconds, by mcp.method.name and gen_ai.tool.name, error.type on
 * failures) plus this server's own counters. Cumulative temporality, as Prometheus has it.
 */
export function createOtelMetrics(settings: OtlpMetricsSettings, logger: Logger): Metrics {
  const exporter = new OTLPMetricExporter({ url: `${settings.endpoint}/v1/metrics`, headers: settings.headers, timeoutMillis: 5_000 });
  const reader = new PeriodicExportingMetricReader({
    // The exporter brings its own copy of sdk-metrics (a patch release apart): same shape, other class identity.
    exporter: exporter as unknown as ConstructorParameters<typeof PeriodicExportingMetricReader>[0]['exporter'],
    exportIntervalMillis: settings.intervalMs,
    exportTimeoutMillis: Math.min(5_000, settings.intervalMs),
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, [ATTR_SERVICE_VERSION]: settings.serviceVersion }),
    readers: [reader],
  });
  const meter = provider.getMeter('casdoor-mcp', settings.serviceVersion);
  const duration = meter.createHistogram('mcp.server.operation.duration', {
    unit: 's',
    description: 'MCP request latency from arrival to reply (its count is the request count)',
    advice: { explicitBucketBoundaries: SECONDS },
  });
  const casdoorDuration = meter.createHistogram('casdoor_mcp.casdoor.call.duration', {
    unit: 's',
    description: 'Casdoor API call latency by adapter operation and outcome',
    advice: { explicitBucketBoundaries: SECONDS },
  });
  const limited = meter.createCounter('casdoor_mcp.rate_limit.refusals', { unit: '{request}', description: 'Requests refused by a rate limit' });
  const records = meter.createCounter('casdoor_mcp.casdoor.records', { unit: '{record}', description: 'Records of write tool calls for Casdoor: sent, failed, dropped' });
  const identity = meter.createCounter('casdoor_mcp.identity_cache.lookups', { unit: '{lookup}', description: 'Identity cache look-ups by credential and result' });
  let storeUp: number | undefined;
  meter
    .createObservableGauge('casdoor_mcp.shared_store.up', { description: '1 while Redis is reachable, 0 while degraded' })
    .addCallback((result) => {
      if (storeUp !== undefined) result.observe(storeUp);
    });
  const requestAttributes = new Map<string, Record<string, string>>();
  let warned = false;
  const warn = (err: unknown) => {
    if (!warned) logger.warn({ reason: (err as Error).message }, 'OTLP metric export failed');
    warned = true;
  };

  return {
    enabled: true,
    request(method, tool, outcome, seconds) {
      // Labels are bounded sets, so each combination's attributes are built once and reused.
      const key = `${method}\u0000${tool ?? ''}\u0000${outcome}`;
      let attributes = requestAttributes.get(key);
      if (!attributes) {
        attributes = {
          'mcp.method.name': method,
          ...(tool ? { 'gen_ai.tool.name': tool } : {}),
          'casdoor_mcp.outcome': outcome,
          ...(outcome === 'ok' ? {} : { [ATTR_ERROR_TYPE]: outcome }),
        };
        requestAttributes.set(key, attributes);
      }
      duration.record(seconds, attributes);
    },
    casdoorCall(operation, outcome, seconds) {
      casdoorDuration.record(seconds, { 'casdoor_mcp.casdoor.operation': operation, 'casdoor_mcp.outcome': outcome });
    },
    rateLimited(kind) {
      limited.add(1, { 'casdoor_mcp.rate_limit.kind': kind });
    },
    casdoorRecord(outcome) {
      records.add(1, { 'casdoor_mcp.outcome': outcome });
    },
    identityCache(credential, result) {
      identity.add(1, { 'casdoor_mcp.credential': credential, 'casdoor_mcp.result': result });
    },
    sharedStoreUp(up) {
      storeUp = up ? 1 : 0;
    },
    render: async () => ({ contentType: 'text/plain', body: '' }),
    async flush() {
      await reader.forceFlush().catch(warn);
    },
    async shutdown() {
      await provider.shutdown().catch(warn);
    },
  };
}
