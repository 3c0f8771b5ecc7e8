import type { Logger } from 'pino';
import type { Caller } from '../auth/caller.js';
import { Refusal, RpcCode } from '../auth/errors.js';
import { TokenError } from '../auth/token-verifier.js';
import { CasdoorError } from '../casdoor/errors.js';
import type { RequestScope } from './request-context.js';

/** How a request ended, as the audit log names it. */
export type Outcome =
  | 'ok'
  | 'tool_error'
  | 'insufficient_scope'
  | 'forbidden'
  | 'invalid_token'
  | 'unauthorized'
  | 'rate_limited'
  | 'origin_not_allowed'
  | 'invalid_params'
  | 'error'
  | 'unavailable';

const REFUSALS: ReadonlySet<Outcome> = new Set(['insufficient_scope', 'forbidden', 'invalid_token', 'unauthorized', 'rate_limited', 'origin_not_allowed', 'unavailable']);

export interface CallerSummary {
  /** token, cookie, anonymous, or none when the credential was refused; full-access for stdio --full-access. */
  auth: string;
  subject?: string;
  organization?: string;
  clientId?: string;
  scopes?: readonly string[];
}

/** One audit line. Built only from fields listed here: never a token, cookie, secret or body. */
export interface AuditEntry {
  outcome: Outcome;
  httpStatus?: number;
  rpcCode?: number;
  /** For refusals: the rule, required scope or reason given to the caller. */
  rule?: string;
  requiredScope?: string;
  reason?: string;
}

/** Told of every audit line after it is written, with what the call was about (Casdoor records). Must not throw. */
export type AuditSink = (scope: RequestScope, entry: AuditEntry, about: { tool?: string; target?: string; organization?: string }) => void;

export interface Audit {
  /** Writes the audit line of a request (at most one per request; refusals at warn). */
  record(scope: RequestScope, entry: AuditEntry): void;
}

export function summarizeCaller(caller: Caller | undefined, via?: string): CallerSummary {
  if (!caller) return { auth: 'none' };
  if (caller.kind === 'anonymous') return { auth: 'anonymous' };
  const p = caller.principal;
  const base: CallerSummary = {
    auth: via ?? caller.kind,
    subject: p.id,
    ...(p.type === 'user' && p.owner ? { organization: p.owner } : {}),
  };
  if (caller.kind === 'token') {
    return { ...base, ...(caller.clientId ? { clientId: caller.clientId } : {}), scopes: [...caller.grantedScopes] };
  }
  return base;
}

/**
 * The object a tool call is about, from its arguments: `id`, else `<owner>/<name>` of the object
 * argument (`admin/<name>` for an application). Only identifiers: never the rest of the arguments.
 */
export function targetOf(params: unknown): { tool?: string; target?: string; organization?: string } {
  if (typeof params !== 'object' || params === null) return {};
  const p = params as { name?: unknown; arguments?: unknown };
  const tool = typeof p.name === 'string' ? p.name.slice(0, 128) : undefined;
  const args = (typeof p.arguments === 'object' && p.arguments !== null ? p.arguments : {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 256 ? v : undefined);
  let target = str(args.id);
  let organization = str(args.organization);
  for (const [key, value] of Object.entries(args)) {
    if (target || typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const o = value as Record<string, unknown>;
    const name = str(o.name);
    if (!name) continue;
    const owner = str(o.owner) ?? (key === 'application' ? 'admin' : undefined);
    target = owner ? `${owner}/${name}` : name;
    organization ??= str(o.organization);
  }
  return { ...(tool ? { tool } : {}), ...(target ? { target } : {}), ...(organization ? { organization } : {}) };
}

/** The outcome of a refusal thrown or returned before a tool ran. */
export function outcomeOfRefusal(err: unknown): AuditEntry {
  if (!(err instanceof Refusal)) {
    if (err instanceof CasdoorError || err instanceof TokenError) return { outcome: 'unavailable', httpStatus: 503, rpcCode: -32603, reason: 'Casdoor or its JWKS unreachable' };
    return { outcome: 'error', httpStatus: 500, rpcCode: -32603 };
  }
  const data = (err.data ?? {}) as { rule?: unknown; required_scope?: unknown; reason?: unknown };
  const outcome: Outcome =
    err.rpcCode === RpcCode.InsufficientScope ? 'insufficient_scope'
    : err.rpcCode === RpcCode.Unauthorized ? 'unauthorized'
    : err.rpcCode === RpcCode.InvalidToken ? 'invalid_token'
    : err.rpcCode === RpcCode.Forbidden ? 'forbidden'
    : err.rpcCode === RpcCode.RateLimited ? 'rate_limited'
    : err.rpcCode === RpcCode.OriginNotAllowed ? 'origin_not_allowed'
    : 'error';
  return {
    outcome,
    httpStatus: err.status,
    rpcCode: err.rpcCode,
    ...(typeof data.rule === 'string' ? { rule: data.rule } : {}),
    ...(typeof data.required_scope === 'string' ? { requiredScope: data.required_scope } : {}),
    ...(typeof data.reason === 'string' ? { reason: data.reason.slice(0, 300) } : {}),
  };
}

/** The outcome of a tools/call reply from the MCP server. */
export function outcomeOfReply(reply: { error?: { code: number; data?: unknown } ; result?: unknown }, httpStatus: number): AuditEntry {
  if (reply.error) {
    const code = reply.error.code;
    const data = (reply.error.data ?? {}) as { rule?: unknown };
    const outcome: Outcome = code === RpcCode.Forbidden ? 'forbidden' : code === -32602 ? 'invalid_params' : 'error';
    return { outcome, httpStatus, rpcCode: code, ...(typeof data.rule === 'string' ? { rule: data.rule } : {}) };
  }
  const isError = (reply.result as { isError?: unknown } | undefined)?.isError === true;
  return { outcome: isError ? 'tool_error' : 'ok', httpStatus };
}

export function createAudit(logger: Logger, sink?: AuditSink): Audit {
  const log = logger.child({ component: 'audit' });
  return {
    record(scope, entry) {
      if (scope.audited) return;
      scope.audited = true;
      const { tool, target, organization } = scope.method === 'tools/call' ? targetOf(scope.params) : {};
      const line = {
        audit: true,
        requestId: scope.requestId,
        transport: scope.transport,
        caller: summarizeCaller(scope.caller, scope.via),
        ...(scope.clientAddress ? { clientAddress: scope.clientAddress } : {}),
        ...(scope.method ? { method: scope.method.slice(0, 128) } : {}),
        ...(tool ? { tool } : {}),
        ...(target ? { target } : {}),
        ...(organization ? { organization } : {}),
        ...entry,
        // stdio has no HTTP status; refusals there carry only the JSON-RPC code.
        ...(scope.transport === 'stdio' ? { httpStatus: undefined } : {}),
        ...(scope.casdoor ? { casdoor: scope.casdoor } : {}),
        latencyMs: Math.round((performance.now() - scope.startedAt) * 10) / 10,
      };
      if (REFUSALS.has(entry.outcome)) log.warn(line, `refused: ${entry.outcome}`);
      else log.info(line, `tool call: ${entry.outcome}`);
      sink?.(scope, entry, { ...(tool ? { tool } : {}), ...(target ? { target } : {}), ...(organization ? { organization } : {}) });
    },
  };
}
