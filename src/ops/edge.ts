import type { Caller } from '../auth/caller.js';
import { Refusal, RpcCode } from '../auth/errors.js';
import type { ToolRegistry } from '../mcp/registry.js';
import { traceContextOf } from '../mcp/trace-context.js';
import { isWriteTool } from '../mcp/tool.js';
import { outcomeOfRefusal, outcomeOfReply, type Audit } from './audit.js';
import type { RateKind, RateLimiter } from './rate-limit.js';
import { currentScope } from './request-context.js';

/**
 * What an edge (HTTP endpoint, stdio) calls at each step of a request, so audit and rate limits
 * behave the same on every transport. Per-request state lives in the request scope
 * (request-context.ts), opened by the edge before any of these run.
 */
export interface EdgeOps {
  /** The parsed JSON-RPC message: its method and params go into the audit line, its _meta trace context into the scope. */
  received(message: { method?: unknown; params?: unknown }): void;
  /**
   * After authentication: notes the caller and counts the request against its rate limit. Returns
   * a 429 refusal (and sets Retry-After through `headers`) when over the limit.
   */
  admit(headers: { header(name: string, value: string): void } | undefined, caller: Caller, method: unknown, params: unknown): Refusal | undefined;
  /** The request was refused (Refusal, or Casdoor/JWKS unreachable): one audit line at warn. */
  refused(err: unknown): void;
  /** The MCP server replied: one audit line when it was a tools/call. */
  replied(reply: { error?: { code: number; data?: unknown }; result?: unknown }, httpStatus: number): void;
}

export interface EdgeOpsOptions {
  audit: Audit;
  limiter: RateLimiter | undefined;
  registry: ToolRegistry;
}

/** The rate-limit key: who the credential names, else where the request came from. */
export function rateKey(caller: Caller, clientAddress: string | undefined): string {
  return caller.kind === 'anonymous' ? `addr:${clientAddress ?? 'unknown'}` : `sub:${caller.principal.id}`;
}

export function createEdgeOps(options: EdgeOpsOptions): EdgeOps {
  const { audit, limiter, registry } = options;

  function kindOf(method: unknown, params: unknown): RateKind {
    if (method !== 'tools/call') return 'read';
    const name = (params as { name?: unknown } | undefined)?.name;
    const tool = typeof name === 'string' ? registry.get(name) : undefined;
    return tool && isWriteTool(tool) ? 'write' : 'read';
  }

  return {
    received(message) {
      const scope = currentScope();
      if (!scope) return;
      if (typeof message.method === 'string') scope.method = message.method;
      scope.params = message.params;
      const trace = traceContextOf(message.params);
      if (trace) scope.trace = trace;
    },
    admit(headers, caller, method, params) {
      const scope = currentScope();
      if (scope) scope.caller = caller;
      if (!limiter) return undefined;
      const limited = limiter.take(rateKey(caller, scope?.clientAddress), kindOf(method, params));
      if (!limited) return undefined;
      headers?.header('Retry-After', String(limited.retryAfterSeconds));
      return new Refusal(RpcCode.RateLimited, 'rate_limited', {
        kind: limited.kind,
        limit_per_minute: limited.limit,
        retry_after_seconds: limited.retryAfterSeconds,
        hint: `Too many ${limited.kind === 'write' ? 'write tool calls' : 'requests'}; retry after ${limited.retryAfterSeconds} s.`,
      });
    },
    refused(err) {
      const scope = currentScope();
      if (scope) audit.record(scope, outcomeOfRefusal(err));
    },
    replied(reply, httpStatus) {
      const scope = currentScope();
      if (scope?.method === 'tools/call') audit.record(scope, outcomeOfReply(reply, httpStatus));
    },
  };
}
