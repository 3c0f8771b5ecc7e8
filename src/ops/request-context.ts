import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import type { CasdoorAdapter } from '../casdoor/adapter.js';
import type { SpanHandle } from '../observe/telemetry.js';
import { CasdoorError } from '../casdoor/errors.js';
import type { TraceContext } from '../mcp/trace-context.js';

/** What Casdoor answered to the tool's calls in this request (the last call wins, a failure sticks). */
export interface CasdoorOutcome {
  calls: number;
  /** HTTP status of the last answer; null when there was none (timeout, unreachable). */
  status: number | null;
  /** The CasdoorError code of the first failure, e.g. casdoor_rejected (HTTP 200 with an error envelope). */
  error?: string;
}

/** One inbound request (HTTP) or message (stdio), from arrival to its audit line. */
export interface RequestScope {
  requestId: string;
  transport: 'http' | 'stdio';
  startedAt: number;
  clientAddress: string | undefined;
  method?: string;
  params?: unknown;
  caller?: Caller;
  /** How the caller authenticated when `caller.kind` alone does not say it (stdio --full-access). */
  via?: string;
  casdoor?: CasdoorOutcome;
  /** W3C trace context from params._meta (traceparent, tracestate), parsed once at the edge. */
  trace?: TraceContext;
  /** Set once the audit line is written, so a request never gets two. */
  audited?: boolean;
  /** The request's span, when tracing is on (src/observe). */
  span?: SpanHandle;
  /** Set once the request is counted and its span ended. */
  observed?: boolean;
}

const storage = new AsyncLocalStorage<RequestScope>();

const REQUEST_ID = /^[\w\-.:]{1,128}$/;

/** An incoming X-Request-Id when it is safe to log and echo, else a fresh UUID. */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export function newScope(transport: RequestScope['transport'], requestId: string, clientAddress?: string): RequestScope {
  return { requestId, transport, startedAt: performance.now(), clientAddress };
}

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

/**
 * The adapter the tools use, recording what Casdoor answered into the current request's scope for
 * the audit line. Casdoor answers HTTP 200 to everything it handles (errors travel in its
 * envelope), so a successful call is recorded as 200.
 */
export function instrumentAdapter(adapter: CasdoorAdapter): CasdoorAdapter {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const scope = storage.getStore();
        const outcome = scope ? (scope.casdoor ??= { calls: 0, status: null }) : undefined;
        try {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (outcome) {
            outcome.calls += 1;
            outcome.status = 200;
          }
          return result;
        } catch (err) {
          if (outcome) {
            outcome.calls += 1;
            if (err instanceof CasdoorError) {
              outcome.status = err.status ?? (['casdoor_rejected', 'casdoor_unaffected', 'casdoor_credentials'].includes(err.code) ? 200 : null);
              outcome.error ??= err.code;
            }
          }
          throw err;
        }
      };
    },
  });
}
