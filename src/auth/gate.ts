import type { ToolRegistry } from '../mcp/registry.js';
import type { Caller } from './caller.js';
import { ForbiddenError, Refusal, RpcCode } from './errors.js';
import { checkOrganization } from './policy.js';

/** Whether a caller may call a tool, and if not, exactly why (for the gate and for whoami). */
export type Decision =
  | { allowed: true }
  | { allowed: false; reason: 'unauthenticated'; requiredScope: string | undefined; refusal: Refusal }
  | { allowed: false; reason: 'insufficient_scope'; requiredScope: string; refusal: Refusal }
  | { allowed: false; reason: 'forbidden'; rule: string; refusal: Refusal };

/**
 * Decides one tool for one caller. `args` are the tool's parsed arguments when known: organization
 * rules that need the target are then applied too; without them only what holds for every target is.
 */
export function decide(caller: Caller, toolName: string, registry: ToolRegistry, args?: unknown): Decision {
  const tool = registry.get(toolName);
  const required = tool ? registry.requiredScope(tool.name) : undefined;
  // Operator narrowing first: it holds for every caller, so no credential changes the answer.
  const disabled = tool ? registry.operator.disabledReason(tool) : undefined;
  if (tool && disabled) return forbidden(new ForbiddenError('disabled_by_operator', `${tool.name} is disabled on this server: ${disabled}`, tool.name));
  if (caller.kind === 'anonymous') {
    const refusal = new Refusal(
      RpcCode.Unauthorized,
      'unauthorized',
      {
        ...(tool ? { tool: tool.name } : {}),
        ...(required ? { required_scope: required } : {}),
        hint: 'tools/call needs credentials: an OAuth access token from Casdoor (see the resource_metadata in WWW-Authenticate) or a Casdoor session cookie.',
      },
      required ? { scope: required } : {},
    );
    return { allowed: false, reason: 'unauthenticated', requiredScope: required, refusal };
  }
  if (!tool) return { allowed: true }; // the dispatcher answers an unknown tool with -32602
  if (caller.kind === 'token' && required && !caller.scopes.has(required)) {
    const refusal = new Refusal(
      RpcCode.InsufficientScope,
      'insufficient_scope',
      { tool: tool.name, granted_scopes: [...caller.grantedScopes], required_scope: required },
      { error: 'insufficient_scope', scope: required, errorDescription: `${tool.name} requires the ${required} scope` },
    );
    return { allowed: false, reason: 'insufficient_scope', requiredScope: required, refusal };
  }
  const target = args === undefined ? undefined : tool.targetOrganization?.(args);
  try {
    if (target !== undefined) registry.operator.assertOrganization(target, tool.name);
    checkOrganization(caller.principal, tool.name, tool.access, target);
  } catch (err) {
    if (!(err instanceof ForbiddenError)) throw err;
    return forbidden(err);
  }
  return { allowed: true };
}

function forbidden(err: ForbiddenError): Decision {
  return { allowed: false, reason: 'forbidden', rule: err.rule, refusal: new Refusal(RpcCode.Forbidden, 'forbidden', err.toRpcData()) };
}

/**
 * The authorization gate: runs on every tools/call before dispatch, at every edge (HTTP, stdio).
 * Returns the refusal, or undefined to let the call through. Nothing refused here reaches Casdoor.
 * Unknown tools and malformed arguments pass, so the dispatcher can answer them with -32602.
 * Organization rules whose target is only known after a read run again inside the tool.
 */
export function gate(caller: Caller, method: string, params: unknown, registry: ToolRegistry): Refusal | undefined {
  if (method !== 'tools/call') return undefined;
  const p = (params ?? {}) as { name?: unknown; arguments?: unknown };
  const name = typeof p.name === 'string' ? p.name : '';
  const tool = registry.get(name);
  const parsed = tool?.input.safeParse(p.arguments ?? {});
  // Malformed arguments: decide on what holds for every target, and let the dispatcher say -32602.
  const decision = decide(caller, name, registry, parsed?.success ? parsed.data : undefined);
  return decision.allowed ? undefined : decision.refusal;
}
