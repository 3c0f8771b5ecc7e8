// POST /api/v1/metrics as Casdoor takes it (OTLP/HTTP protobuf): ExportMetricsServiceRequest decoded
// into one entry per data point of sums, gauges and histograms, so the tests can read what was sent.
import { attributes, bytes, fields, text, type Field } from './otlp.js';

export interface OtlpMetricPoint {
  name: string;
  unit: string;
  kind: 'sum' | 'gauge' | 'histogram';
  service: string;
  attributes: Record<string, string | number | boolean>;
  /** Sums and gauges. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

const double = (f: Field | undefined): number => (f?.value instanceof Uint8Array ? Buffer.from(f.value).readDoubleLE() : 0);
const u64 = (f: Field | undefined): number => (f?.value instanceof Uint8Array ? Number(Buffer.from(f.value).readBigUInt64LE()) : 0);

/** A repeated fixed64 or double field, packed (one length-delimited run) or not. */
function repeated(list: Field[], read: (b: Buffer, at: number) => number): number[] {
  const out: number[] = [];
  for (const f of list) {
    const b = Buffer.from(bytes(f));
    for (let at = 0; at + 8 <= b.length; at += 8) out.push(read(b, at));
  }
  return out;
}

export function decodeMetrics(body: Uint8Array): OtlpMetricPoint[] {
  const points: OtlpMetricPoint[] = [];
  for (const rm of fields(body).filter((f) => f.no === 1)) {
    const rmFields = fields(bytes(rm));
    const resource = rmFields.find((f) => f.no === 1);
    const service = String((resource ? attributes(fields(bytes(resource)).filter((f) => f.no === 1)) : {})['service.name'] ?? '');
    for (const sm of rmFields.filter((f) => f.no === 2)) {
      for (const m of fields(bytes(sm)).filter((f) => f.no === 2)) {
        const mf = fields(bytes(m));
        const name = text(mf.find((f) => f.no === 1));
        const unit = text(mf.find((f) => f.no === 3));
        const data = mf.find((f) => f.no === 5 || f.no === 7 || f.no === 9);
        if (!data) continue;
        const kind = data.no === 9 ? 'histogram' : data.no === 7 ? 'sum' : 'gauge';
        for (const dp of fields(bytes(data)).filter((f) => f.no === 1)) {
          const p = fields(bytes(dp));
          if (kind === 'histogram') {
            points.push({
              name, unit, kind, service,
              attributes: attributes(p.filter((f) => f.no === 9)),
              count: u64(p.find((f) => f.no === 4)),
              sum: double(p.find((f) => f.no === 5)),
              bucketCounts: repeated(p.filter((f) => f.no === 6), (b, at) => Number(b.readBigUInt64LE(at))),
              explicitBounds: repeated(p.filter((f) => f.no === 7), (b, at) => b.readDoubleLE(at)),
            });
          } else {
            const asInt = p.find((f) => f.no === 6);
            points.push({
              name, unit, kind, service,
              attributes: attributes(p.filter((f) => f.no === 7)),
              value: asInt ? Number(Buffer.from(bytes(asInt)).readBigInt64LE()) : double(p.find((f) => f.no === 4)),
            });
          }
        }
      }
    }
  }
  return points;
}
