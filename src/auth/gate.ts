import type { ToolRegistry } from '../mcp/registry.js';
import type { Caller } from './caller.js';
import { ForbiddenError, Refusal, RpcCode } from './errors.js';
import { checkOrganization } from './policy.js';

/**
 * The authorization gate: runs on every tools/call before dispatch, at every edge (HTTP, stdio).
 * Returns the refusal, or undefined to let the call through. Nothing refused here reaches Casdoor.
 * Unknown tools and malformed arguments pass, so the dispatcher can answer them with -32602.
 * Organization rules whose target is only known after a read run again inside the tool.
 */
export function gate(caller: Caller, method: string, params: unknown, registry: ToolRegistry): Refusal | undefined {
  if (method !== 'tools/call') return undefined;
  const p = (params ?? {}) as { name?: unknown; arguments?: unknown };
  const name = typeof p.name === 'string' ? p.name : undefined;
  const tool = name === undefined ? undefined : registry.get(name);
  const required = tool ? registry.requiredScope(tool.name) : undefined;

  if (caller.kind === 'anonymous') {
    return new Refusal(
      RpcCode.Unauthorized,
      'unauthorized',
      {
        ...(tool ? { tool: tool.name } : {}),
        ...(required ? { required_scope: required } : {}),
        hint: 'tools/call needs credentials: an OAuth access token from Casdoor (see the resource_metadata in WWW-Authenticate) or a Casdoor session cookie.',
      },
      required ? { scope: required } : {},
    );
  }
  if (!tool) return undefined;
  if (caller.kind === 'token' && required && !caller.scopes.has(required)) {
    return new Refusal(
      RpcCode.InsufficientScope,
      'insufficient_scope',
      { tool: tool.name, granted_scopes: [...caller.grantedScopes], required_scope: required },
      { error: 'insufficient_scope', scope: required, errorDescription: `${tool.name} requires the ${required} scope` },
    );
  }
  const args = tool.input.safeParse(p.arguments ?? {});
  if (!args.success) return undefined;
  try {
    checkOrganization(caller.principal, tool.name, tool.access, tool.targetOrganization?.(args.data));
  } catch (err) {
    if (err instanceof ForbiddenError) return new Refusal(RpcCode.Forbidden, 'forbidden', err.toRpcData());
    throw err;
  }
  return undefined;
}
