import { z } from 'zod';
import { administeredOrganizations, describePrincipal } from '../auth/caller.js';
import { decide } from '../auth/gate.js';
import { defineTool } from '../mcp/tool.js';

/**
 * Who the caller is to this server and what they may do, tool by tool. Needs no scope (it is in no
 * scope in scopes.json), so even a token without scopes can find out why it sees no tools. Every
 * answer comes from the gate's own decide(), so whoami never disagrees with what a call would get.
 */
const ToolAccessOut = z.object({
  name: z.string(),
  allowed: z.boolean(),
  missingScope: z.string().optional(),
  rule: z.string().optional(),
  reason: z.string().optional(),
});

export const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description:
    'Who you are here and what you may do: principal, how you authenticated, the organizations you may act on, granted scopes, and ' +
    'per tool whether you may call it, else the missing scope or rule. Needs no scope; call it when a tool is missing or refused.',
  input: z.object({}).strict(),
  output: z.object({
    principal: z.object({
      type: z.enum(['application', 'user']),
      id: z.string(),
      name: z.string(),
      organization: z.string().optional(),
      isAdmin: z.boolean().optional(),
      role: z.string(),
    }),
    authenticatedWith: z.enum(['token', 'cookie']),
    organizations: z.union([z.literal('all'), z.array(z.string())]),
    grantedScopes: z.array(z.string()),
    canonicalScopes: z.array(z.string()),
    clientId: z.string().optional(),
    expiresAt: z.string().optional(),
    note: z.string().optional(),
    tools: z.array(ToolAccessOut),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: { action: 'read', publicRead: true },
  async run(_args, ctx) {
    const { caller } = ctx;
    const p = caller.principal;
    const orgs = administeredOrganizations(p);
    const tools = ctx.registry.names.map((name) => {
      const d = decide(caller, name, ctx.registry);
      if (d.allowed) return { name, allowed: true };
      if (d.reason === 'insufficient_scope') return { name, allowed: false, missingScope: d.requiredScope };
      if (d.reason === 'forbidden') {
        const reason = (d.refusal.data as { reason?: unknown } | undefined)?.reason;
        return { name, allowed: false, rule: d.rule, ...(typeof reason === 'string' ? { reason } : {}) };
      }
      return { name, allowed: false, rule: d.reason };
    });
    return {
      principal: {
        type: p.type,
        id: p.id,
        name: p.name,
        ...(p.type === 'user' ? { organization: p.owner, isAdmin: p.isAdmin } : {}),
        role: describePrincipal(p),
      },
      authenticatedWith: caller.kind,
      organizations: effectiveOrganizations(orgs, ctx.registry.operator.allowedOrganizations),
      grantedScopes: caller.kind === 'token' ? [...caller.grantedScopes] : [],
      canonicalScopes: caller.kind === 'token' ? [...caller.scopes].sort() : [],
      ...(caller.kind === 'token' && caller.clientId ? { clientId: caller.clientId } : {}),
      ...(caller.kind === 'token' ? { expiresAt: new Date(caller.expiresAt * 1000).toISOString() } : {}),
      ...(caller.kind === 'cookie' ? { note: 'a Casdoor session cookie is not limited by scopes; only the organization rules apply' } : {}),
      tools,
    };
  },
});

/** What the caller's rights leave after the operator's organization allow-list, which no caller can widen. */
function effectiveOrganizations(
  orgs: 'all' | { only: string } | 'none',
  allowed: ReadonlySet<string> | undefined,
): 'all' | string[] {
  if (orgs === 'none') return [];
  if (orgs === 'all') return allowed ? [...allowed] : 'all';
  return !allowed || allowed.has(orgs.only) ? [orgs.only] : [];
}
