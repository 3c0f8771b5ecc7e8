/**
 * JSON-RPC error codes this server puts on the wire, each with the HTTP status the HTTP edge gives it.
 * -32001 is Casdoor's own insufficient_scope code (kept for compatibility with prompts and scripts
 * written for Casdoor's /api/mcp); the others sit in the implementation-defined range -32000..-32019
 * (MCP 2026-07-28 reserves -32020..-32099 for codes the specification defines).
 */
export const RpcCode = {
  InsufficientScope: -32001,
  Unauthorized: -32010,
  InvalidToken: -32011,
  Forbidden: -32013,
  OriginNotAllowed: -32014,
  /** Too many requests from one caller (HTTP 429 with Retry-After). Was -32029, inside the range MCP 2026-07-28 reserves. */
  RateLimited: -32015,
} as const;

export const HTTP_STATUS_OF: Readonly<Record<number, number>> = {
  [RpcCode.InsufficientScope]: 403,
  [RpcCode.Unauthorized]: 401,
  [RpcCode.InvalidToken]: 401,
  [RpcCode.Forbidden]: 403,
  [RpcCode.OriginNotAllowed]: 403,
  [RpcCode.RateLimited]: 429,
};

/** What the WWW-Authenticate challenge must say (RFC 6750 §3); the HTTP edge adds realm and resource_metadata. */
export interface Challenge {
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  errorDescription?: string;
  scope?: string;
}

/**
 * A request refused before it reaches a tool. Carries the JSON-RPC error and, for 401/403 auth
 * refusals, the challenge. Translated to HTTP only at the HTTP edge, to JSON-RPC only on stdio.
 */
export class Refusal extends Error {
  constructor(
    readonly rpcCode: number,
    readonly rpcMessage: string,
    readonly data: unknown,
    readonly challenge?: Challenge,
  ) {
    super(rpcMessage);
    this.name = 'Refusal';
  }
  get status(): number {
    return HTTP_STATUS_OF[this.rpcCode] ?? 400;
  }
}

/** A caller rule (organization, admin rights) refused the call: distinct from insufficient_scope. */
export class ForbiddenError extends Error {
  constructor(readonly rule: string, message: string, readonly tool?: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
  toRpcData(): Record<string, unknown> {
    return { rule: this.rule, ...(this.tool ? { tool: this.tool } : {}), reason: this.message };
  }
}
