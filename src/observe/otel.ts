import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import { NO_SPAN, type SpanHandle, type Telemetry, type TelemetrySettings, type TraceCarrier } from './telemetry.js';

/** Loaded only by createTelemetry (dynamic import) when OTEL_EXPORTER_OTLP_ENDPOINT is set. */

const w3c = new W3CTraceContextPropagator();
const getter = {
  keys: (c: TraceCarrier) => Object.keys(c),
  get: (c: TraceCarrier, key: string) => (key === 'traceparent' ? c.traceparent : key === 'tracestate' ? c.tracestate : undefined),
};

/** A recording span (unsampled ones are NO_SPAN, so nothing is built or set for them). */
class Handle implements SpanHandle {
  readonly recording = true;
  private ended = false;
  constructor(readonly span: Span, readonly ctx: Context) {}
  setAttributes(attributes: Record<string, string | number | boolean | undefined>): void {
    for (const k in attributes) {
      const v = attributes[k];
      if (v !== undefined) this.span.setAttribute(k, v);
    }
  }
  end(errorType?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (errorType) {
      this.span.setAttribute(ATTR_ERROR_TYPE, errorType);
      this.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    this.span.end();
  }
}

export function createOtelTelemetry(settings: TelemetrySettings, logger: Logger): Telemetry {
  const exporter = new OTLPTraceExporter({ url: `${settings.endpoint}/v1/traces`, headers: settings.headers, timeoutMillis: 5_000 });
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sampleRatio) }),
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, [ATTR_SERVICE_VERSION]: settings.serviceVersion }),
    // Bounded queue: a collector that is down costs dropped spans, never memory.
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1_000 })],
  });
  const tracer = provider.getTracer('casdoor-mcp', settings.serviceVersion);
  // The global propagator is set for libraries that look for one; the edge uses w3c directly.
  propagation.setGlobalPropagator(w3c);
  let warned = false;

  function parentOf(carriers: readonly TraceCarrier[]): Context {
    for (const carrier of carriers) {
      if (!carrier.traceparent) continue;
      const ctx = w3c.extract(ROOT_CONTEXT, carrier, getter);
      if (trace.getSpanContext(ctx)) return ctx;
    }
    return ROOT_CONTEXT;
  }

  return {
    enabled: true,
    startRequest(name, carriers) {
      const parent = parentOf(carriers);
      // The sampler reads no attributes (parent-based ratio), so they are set only on a recording span.
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
      return span.isRecording() ? new Handle(span, trace.setSpan(parent, span)) : NO_SPAN;
    },
    startChild(parent, name, attributes, kind = 'internal', startTime) {
      if (!(parent instanceof Handle)) return NO_SPAN;
      const span = tracer.startSpan(name, { kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL, ...(startTime === undefined ? {} : { startTime }) }, parent.ctx);
      const handle = new Handle(span, trace.setSpan(parent.ctx, span));
      handle.setAttributes(attributes);
      return handle;
    },
    async flush() {
      try {
        await provider.forceFlush();
      } catch (err) {
        if (!warned) logger.warn({ reason: (err as Error).message }, 'OTLP trace export failed');
        warned = true;
      }
    },
    async shutdown() {
      await provider.shutdown().catch(() => {});
    },
  };
}
