import type { Logger } from 'pino';

/** A span as the rest of the code sees it: no OpenTelemetry type leaks out of src/observe/otel.ts. */
export interface SpanHandle {
  /** False when the span is not sampled: callers then skip building attributes at all. */
  readonly recording: boolean;
  setAttributes(attributes: Record<string, string | number | boolean | undefined>): void;
  /** Ends the span; `errorType` marks it failed (error.type). Later calls are ignored. */
  end(errorType?: string): void;
}

/** Where a request's trace context came from: params._meta (MCP) wins over the HTTP headers. */
export interface TraceCarrier {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

export interface Telemetry {
  readonly enabled: boolean;
  /**
   * The server span of one MCP request, a child of the caller's trace context when one is given.
   * Attributes come after, through setAttributes, and only when the span is `recording`.
   */
  startRequest(name: string, carriers: readonly TraceCarrier[]): SpanHandle;
  /** A child span of `parent` (authorization decision, Casdoor call); undefined or unsampled parent: none. */
  startChild(parent: SpanHandle | undefined, name: string, attributes: Record<string, string | number | boolean | undefined>, kind?: 'internal' | 'client', startTime?: number): SpanHandle;
  /** Flushes what is queued (at shutdown; tests). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TelemetrySettings {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the base URL; traces go to <base>/v1/traces. */
  endpoint: string | undefined;
  /** OTEL_EXPORTER_OTLP_HEADERS, parsed. */
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion: string;
  /** Share of new traces recorded; a caller's sampling decision (traceparent flags) is followed. */
  sampleRatio: number;
}

export const NO_SPAN: SpanHandle = { recording: false, setAttributes() {}, end() {} };

/** What runs when no endpoint is configured: nothing loaded, nothing allocated per request. */
export const NO_TELEMETRY: Telemetry = {
  enabled: false,
  startRequest: () => NO_SPAN,
  startChild: () => NO_SPAN,
  flush: async () => {},
  shutdown: async () => {},
};

/** The OpenTelemetry SDK is imported only when an endpoint is set, so an unset one costs nothing. */
export async function createTelemetry(settings: TelemetrySettings, logger: Logger): Promise<Telemetry> {
  if (!settings.endpoint) return NO_TELEMETRY;
  const { createOtelTelemetry } = await import('./otel.js');
  const telemetry = createOtelTelemetry(settings, logger);
  logger.info({ endpoint: `${settings.endpoint}/v1/traces`, service: settings.serviceName }, 'OpenTelemetry traces on (OTLP/HTTP protobuf)');
  return telemetry;
}
