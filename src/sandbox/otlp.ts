// POST /api/v1/traces and /api/v1/metrics as Casdoor takes them: OTLP/HTTP protobuf only (415
// otherwise). Spans (here) and metric points (otlp-metrics.ts) are decoded by a minimal protobuf
// reader and kept, the oldest first to go, so the demo and the tests can see what the server
// exported. GET lists the last 200.
import { gunzipSync } from 'node:zlib';
import type { Hono } from 'hono';
import type { AppEnv } from './context.js';
import { fail } from './envelope.js';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, string | number | boolean>;
  /** 0 unset, 1 ok, 2 error (OTLP StatusCode). */
  statusCode: number;
  service: string;
}

export type Field = { no: number; wire: number; value: bigint | Uint8Array };

/** The fields of one protobuf message, in order. Throws on a malformed buffer. */
export function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (i >= buf.length || shift > 63n) throw new Error('bad varint');
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (i + n > buf.length) throw new Error('truncated');
      out.push({ no, wire, value: buf.subarray(i, i + n) });
      i += n;
    } else if (wire === 2) {
      const n = Number(varint());
      if (i + n > buf.length) throw new Error('truncated');
      out.push({ no, wire, value: buf.subarray(i, i + n) });
      i += n;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

export const bytes = (f: Field | undefined): Uint8Array => (f?.value instanceof Uint8Array ? f.value : new Uint8Array());
export const text = (f: Field | undefined): string => Buffer.from(bytes(f)).toString('utf8');
const hex = (f: Field | undefined): string => Buffer.from(bytes(f)).toString('hex');
const fixed64 = (f: Field | undefined): string => (f ? Buffer.from(bytes(f)).readBigUInt64LE().toString() : '0');

function anyValue(buf: Uint8Array): string | number | boolean {
  const f = fields(buf)[0];
  if (!f) return '';
  switch (f.no) {
    case 1: return text(f);
    case 2: return f.value === 1n;
    case 3: return Number(BigInt.asIntN(64, f.value as bigint));
    case 4: return Buffer.from(bytes(f)).readDoubleLE();
    default: return `(${f.no === 5 ? 'array' : f.no === 6 ? 'kvlist' : 'bytes'})`;
  }
}

export function attributes(list: Field[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list) {
    const parts = fields(bytes(kv));
    out[text(parts.find((p) => p.no === 1))] = anyValue(bytes(parts.find((p) => p.no === 2)));
  }
  return out;
}

/** Decodes an ExportTraceServiceRequest into its spans. */
export function decodeTraces(body: Uint8Array): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const rs of fields(body).filter((f) => f.no === 1)) {
    const rsFields = fields(bytes(rs));
    const resource = rsFields.find((f) => f.no === 1);
    const resourceAttrs = resource ? attributes(fields(bytes(resource)).filter((f) => f.no === 1)) : {};
    const service = String(resourceAttrs['service.name'] ?? '');
    for (const ss of rsFields.filter((f) => f.no === 2)) {
      for (const sp of fields(bytes(ss)).filter((f) => f.no === 2)) {
        const s = fields(bytes(sp));
        const one = (no: number) => s.find((f) => f.no === no);
        const status = one(15) ? fields(bytes(one(15))).find((f) => f.no === 3) : undefined;
        spans.push({
          traceId: hex(one(1)),
          spanId: hex(one(2)),
          parentSpanId: hex(one(4)),
          name: text(one(5)),
          kind: Number(one(6)?.value ?? 0n),
          startTimeUnixNano: fixed64(one(7)),
          endTimeUnixNano: fixed64(one(8)),
          attributes: attributes(s.filter((f) => f.no === 9)),
          statusCode: Number(status?.value ?? 0n),
          service,
        });
      }
    }
  }
  return spans;
}

/** Registers an OTLP endpoint (/api/v1/<signal>); what `decode` finds goes into `sink`, at most `limit` kept. */
export function registerOtlp<T>(app: Hono<AppEnv>, signal: 'traces' | 'metrics', decode: (body: Uint8Array) => T[], sink: T[], limit = 5_000): void {
  app.post(`/api/v1/${signal}`, async (c) => {
    if (!/^application\/x-protobuf\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      return c.json(fail(`Unsupported Content-Type: OTLP ${signal} are accepted as application/x-protobuf only`), 415);
    }
    let items: T[];
    try {
      let body = new Uint8Array(await c.req.arrayBuffer());
      if ((c.req.header('content-encoding') ?? '').toLowerCase() === 'gzip') body = gunzipSync(body);
      items = decode(body);
    } catch (err) {
      return c.json(fail(`Bad OTLP request: ${(err as Error).message}`), 400);
    }
    sink.push(...items);
    if (sink.length > limit) sink.splice(0, sink.length - limit);
    // Export<Signal>ServiceResponse with no partial_success: an empty message.
    return c.body(new Uint8Array(), 200, { 'Content-Type': 'application/x-protobuf' });
  });
  app.get(`/api/v1/${signal}`, (c) => c.json({ status: 'ok', msg: '', data: sink.slice(-200) }));
}
