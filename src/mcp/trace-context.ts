/**
 * W3C Trace Context carried in a request's params._meta (MCP 2026-07-28; 2025 clients may send it
 * too): `traceparent`, and `tracestate` when present. Parsed once at the edge into the request
 * scope (RequestScope.trace), where telemetry reads it. Malformed values are dropped, never echoed.
 */
export interface TraceContext {
  traceparent: string;
  /** Present only with a valid traceparent. */
  tracestate?: string;
  traceId: string;
  parentId: string;
  sampled: boolean;
}

// version 00 (and future versions, read as 00), 32-hex trace id, 16-hex parent id, 2-hex flags.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const TRACESTATE = /^[\x20-\x7e]{0,512}$/;

export function traceContextOf(params: unknown): TraceContext | undefined {
  const meta = typeof params === 'object' && params !== null ? (params as { _meta?: unknown })._meta : undefined;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const tp = (meta as Record<string, unknown>).traceparent;
  if (typeof tp !== 'string' || tp.length > 128) return undefined;
  const m = TRACEPARENT.exec(tp.trim());
  if (!m) return undefined;
  const [, version, traceId, parentId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  // ff is forbidden; all-zero ids are invalid; version 00 has nothing after the flags.
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(parentId) || (version === '00' && rest !== undefined)) return undefined;
  const ts = (meta as Record<string, unknown>).tracestate;
  return {
    traceparent: `${version}-${traceId}-${parentId}-${flags}`,
    ...(typeof ts === 'string' && TRACESTATE.test(ts) ? { tracestate: ts } : {}),
    traceId,
    parentId,
    sampled: (parseInt(flags, 16) & 1) === 1,
  };
}
