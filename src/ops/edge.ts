import type { Caller } from '../auth/caller.js';
import { Refusal, RpcCode } from '../auth/errors.js';
import type { ToolRegistry } from '../mcp/registry.js';
import { traceContextOf } from '../mcp/trace-context.js';
import { isWriteTool } from '../mcp/tool.js';
import { NO_METRICS, type Metrics } from '../observe/metrics.js';
import { NO_SPAN, NO_TELEMETRY, type SpanHandle, type Telemetry, type TraceCarrier } from '../observe/telemetry.js';
import { outcomeOfRefusal, outcomeOfReply, type Audit, type AuditEntry } from './audit.js';
import type { RateKind, RateLimited, RateLimiter } from './rate-limit.js';
import { currentScope, type RequestScope } from './request-context.js';

/**
 * What an edge (HTTP endpoint, stdio) calls at each step of a request, so audit and rate limits
 * behave the same on every transport. Per-request state lives in the request scope
 * (request-context.ts), opened by the edge before any of these run.
 */
export interface EdgeOps {
  /**
   * The parsed JSON-RPC message: its method and params go into the audit line, its _meta trace context
   * into the scope; with tracing on its span starts here, a child of params._meta.traceparent or else
   * of the HTTP trace headers.
   */
  received(message: { method?: unknown; params?: unknown; id?: unknown }, http?: { trace(): TraceCarrier; protocolVersion?: string | undefined }): void;
  /**
   * Before a credential not resolved yet is checked (so before any Casdoor call): spends one request
   * of the client address's allowance, the one anonymous requests spend. 429 when it is spent.
   */
  admitUnresolved(headers: Headers | undefined): Admission;
  /**
   * After authentication: notes the caller and counts the request against its read allowance (write
   * tool calls are counted by admitWrite, once the gate let them through). 429 when over the limit.
   */
  admit(headers: Headers | undefined, caller: Caller, method: unknown, params: unknown): Admission;
  /** After the gate admitted the call: a write tool call spends the caller's write allowance. */
  admitWrite(headers: Headers | undefined, caller: Caller, method: unknown, params: unknown): Admission;
  /** The request was refused (Refusal, or Casdoor/JWKS unreachable): one audit line at warn. */
  refused(err: unknown): void;
  /** The MCP server replied: one audit line when it was a tools/call. */
  replied(reply: { error?: { code: number; data?: unknown }; result?: unknown }, httpStatus: number): void;
  /** The request ended without refused/replied (tools/list fast path, notifications, answers, bad requests). */
  finished(httpStatus: number): void;
  /**
   * A child span of the current request (e.g. the authorization decision); a no-op without tracing.
   * `startTime` (ms since the epoch) backdates it, for a span decided on after its work began.
   */
  span(name: string, attributes?: Record<string, string | number | boolean | undefined>, startTime?: number): SpanHandle;
}

type Headers = { header(name: string, value: string): void };
/** A rate-limit answer: synchronous from the local limiter, a promise from a shared store. */
type Admission = Refusal | undefined | Promise<Refusal | undefined>;

export interface EdgeOpsOptions {
  audit: Audit;
  limiter: RateLimiter | undefined;
  registry: ToolRegistry;
  telemetry?: Telemetry;
  metrics?: Metrics;
}

const NO_ATTRIBUTES: Record<string, string | number | boolean | undefined> = Object.freeze({});

/** Method labels are a closed set: a client's made-up method names must not grow the metrics. */
const METHODS = new Set(['initialize', 'ping', 'server/discover', 'tools/list', 'tools/call', 'completion/complete', 'notifications/initialized', 'notifications/cancelled', 'response']);

/**
 * The rate-limit key: who Casdoor says the caller is AND through which client (so a read-only
 * token's refused writes cannot spend another client's allowance), else where the request came from.
 */
export function rateKey(caller: Caller, clientAddress: string | undefined): string {
  if (caller.kind === 'anonymous') return addressKey(clientAddress);
  const via = caller.kind === 'token' ? `client:${caller.clientId ?? ''}` : 'cookie';
  return `sub:${caller.principal.id}|${via}`;
}

const addressKey = (clientAddress: string | undefined): string => `addr:${clientAddress ?? 'unknown'}`;

export function createEdgeOps(options: EdgeOpsOptions): EdgeOps {
  const { audit, limiter, registry } = options;
  const telemetry = options.telemetry ?? NO_TELEMETRY;
  const metrics = options.metrics ?? NO_METRICS;

  /** A known tool's name, for labels and span names (never a caller's arbitrary string). */
  function toolOf(scope: RequestScope): string | undefined {
    if (scope.method !== 'tools/call') return undefined;
    const name = (scope.params as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && registry.get(name) ? name : 'unknown';
  }

  function refusalOf(headers: Headers | undefined, limited: RateLimited | undefined): Refusal | undefined {
    if (!limited) return undefined;
    metrics.rateLimited(limited.kind);
    headers?.header('Retry-After', String(limited.retryAfterSeconds));
    return new Refusal(RpcCode.RateLimited, 'rate_limited', {
      kind: limited.kind,
      limit_per_minute: limited.limit,
      retry_after_seconds: limited.retryAfterSeconds,
      hint: `Too many ${limited.kind === 'write' ? 'write tool calls' : 'requests'}; retry after ${limited.retryAfterSeconds} s.`,
    });
  }

  /** Counts the request and ends its span, once. */
  function observe(scope: RequestScope, entry: Pick<AuditEntry, 'httpStatus' | 'rpcCode'> & { outcome: string }): void {
    if (scope.observed) return;
    scope.observed = true;
    if (!metrics.enabled && !scope.span) return;
    const method = scope.method === undefined ? 'invalid' : METHODS.has(scope.method) ? scope.method : 'other';
    metrics.request(method, toolOf(scope), entry.outcome, (performance.now() - scope.startedAt) / 1000);
    scope.span?.setAttributes({
      'casdoor_mcp.outcome': entry.outcome,
      'http.response.status_code': entry.httpStatus,
      'rpc.response.status_code': entry.rpcCode === undefined ? undefined : String(entry.rpcCode),
    });
    scope.span?.end(entry.outcome === 'ok' ? undefined : entry.outcome);
  }

  function kindOf(method: unknown, params: unknown): RateKind {
    if (method !== 'tools/call') return 'read';
    const name = (params as { name?: unknown } | undefined)?.name;
    const tool = typeof name === 'string' ? registry.get(name) : undefined;
    return tool && isWriteTool(tool) ? 'write' : 'read';
  }

  function limited(headers: Headers | undefined, key: string, kind: RateKind): Admission {
    if (!limiter) return undefined;
    const over = limiter.take(key, kind);
    // A shared store answers asynchronously; the local limiter stays synchronous on the hot path.
    return over instanceof Promise ? over.then((o) => refusalOf(headers, o)) : refusalOf(headers, over);
  }

  return {
    received(message, http) {
      const scope = currentScope();
      if (!scope) return;
      if (typeof message.method === 'string') scope.method = message.method;
      else if (message.id !== undefined) scope.method = 'response';
      scope.params = message.params;
      const trace = traceContextOf(message.params);
      if (trace) scope.trace = trace;
      if (!telemetry.enabled) return;
      const method = scope.method ?? 'invalid';
      const tool = toolOf(scope);
      const fromMeta: TraceCarrier = { traceparent: trace?.traceparent, tracestate: trace?.tracestate };
      // MCP semantic conventions: span name "{mcp.method.name} {target}", kind SERVER.
      const span = telemetry.startRequest(tool ? `${method} ${tool}` : METHODS.has(method) ? method : 'other', [fromMeta, http?.trace() ?? {}]);
      // An unsampled request gets no span at all (no children, no attributes built).
      if (!span.recording) return;
      scope.span = span;
      span.setAttributes({
        'mcp.method.name': METHODS.has(method) ? method : 'other',
        'gen_ai.tool.name': tool,
        'gen_ai.operation.name': tool ? 'execute_tool' : undefined,
        'jsonrpc.request.id': typeof message.id === 'string' || typeof message.id === 'number' ? String(message.id) : undefined,
        'mcp.protocol.version': http?.protocolVersion,
        'network.transport': scope.transport === 'http' ? 'tcp' : 'pipe',
        'network.protocol.name': scope.transport === 'http' ? 'http' : undefined,
        'client.address': scope.clientAddress,
        'casdoor_mcp.request_id': scope.requestId,
      });
    },
    admitUnresolved(headers) {
      return limited(headers, addressKey(currentScope()?.clientAddress), 'read');
    },
    admit(headers, caller, method, params) {
      const scope = currentScope();
      if (scope) scope.caller = caller;
      if (scope?.span) {
        scope.span.setAttributes({
          'enduser.id': caller.kind === 'anonymous' ? undefined : caller.principal.id,
          'casdoor_mcp.caller.kind': caller.kind,
          'casdoor_mcp.caller.client_id': caller.kind === 'token' ? caller.clientId : undefined,
        });
      }
      if (kindOf(method, params) === 'write') return undefined;
      return limited(headers, rateKey(caller, scope?.clientAddress), 'read');
    },
    admitWrite(headers, caller, method, params) {
      if (kindOf(method, params) !== 'write') return undefined;
      return limited(headers, rateKey(caller, currentScope()?.clientAddress), 'write');
    },
    refused(err) {
      const scope = currentScope();
      if (!scope) return;
      const entry = outcomeOfRefusal(err);
      audit.record(scope, entry);
      observe(scope, entry);
    },
    replied(reply, httpStatus) {
      const scope = currentScope();
      if (!scope) return;
      const entry = outcomeOfReply(reply, httpStatus);
      if (scope.method === 'tools/call') audit.record(scope, entry);
      observe(scope, entry);
    },
    finished(httpStatus) {
      const scope = currentScope();
      if (!scope || scope.observed) return;
      observe(scope, httpStatus < 400 ? { outcome: 'ok', httpStatus } : { outcome: 'invalid_request', httpStatus });
    },
    span(name, attributes = NO_ATTRIBUTES, startTime) {
      return telemetry.enabled ? telemetry.startChild(currentScope()?.span, name, attributes, 'internal', startTime) : NO_SPAN;
    },
  };
}
