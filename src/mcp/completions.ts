import { z } from 'zod';
import { administeredOrganizations, type Caller } from '../auth/caller.js';
import { ForbiddenError } from '../auth/errors.js';
import { decide } from '../auth/gate.js';
import { checkOrganization } from '../auth/policy.js';
import type { CasdoorAdapter } from '../casdoor/adapter.js';
import type { CasdoorFamily } from '../casdoor/types.js';
import { toolsetOf } from '../ops/operator-policy.js';
import type { PromptCatalog } from './prompts.js';
import type { ToolRegistry } from './registry.js';

/**
 * completion/complete, in both eras, for tool arguments (`ref: {type: "ref/tool", name}`, an
 * extension: MCP defines only prompt and resource references) and for prompt arguments
 * (`ref/prompt`: each argument completes as the tool argument it stands for, and only for a caller
 * offered the prompt). Organization arguments get organization names, `id` arguments object ids of
 * the tool's family. What is offered passes the same decision as tools/call of that tool
 * (auth/gate.ts decide, then the organization rule per candidate), and someone who administers
 * nothing is offered only their own organization and user.
 */
export const CompleteRequest = z.object({
  method: z.literal('completion/complete'),
  params: z.object({
    ref: z.object({ type: z.string(), name: z.string().optional(), uri: z.string().optional() }).passthrough(),
    argument: z.object({ name: z.string(), value: z.string() }),
    context: z.object({ arguments: z.record(z.string(), z.string()).optional() }).optional(),
  }).passthrough(),
});
export type CompleteRequest = z.infer<typeof CompleteRequest>;

interface Candidate {
  value: string;
  organization: string | undefined; // undefined: readable by every administrator (global providers)
}

const MAX_VALUES = 100;
const ORGANIZATION_ARGUMENTS = new Set(['owner', 'organization']);
const FAMILY_OF: Record<string, CasdoorFamily | 'application' | 'user'> = {
  applications: 'application', users: 'user', organizations: 'organization', roles: 'role', permissions: 'permission',
  providers: 'provider', tokens: 'token', groups: 'group',
};

export async function complete(req: CompleteRequest, caller: Caller, registry: ToolRegistry, casdoor: CasdoorAdapter, prompts?: PromptCatalog) {
  const empty = { completion: { values: [] as string[], total: 0, hasMore: false } };
  const { ref } = req.params;
  let argument = req.params.argument;
  let tool = ref.type === 'ref/tool' && ref.name ? registry.get(ref.name) : undefined;
  if (ref.type === 'ref/prompt' && ref.name && prompts) {
    const as = prompts.find(ref.name, caller)?.arguments.find((a) => a.name === argument.name)?.completeAs;
    if (as) {
      tool = registry.get(as.tool);
      argument = { name: as.argument, value: argument.value };
    }
  }
  if (!tool || caller.kind === 'anonymous') return empty;
  // The tool-level decision tools/call would get: scope, operator narrowing, admin rights.
  if (!decide(caller, tool.name, registry).allowed) return empty;
  const family = FAMILY_OF[toolsetOf(tool.name) ?? ''];
  const candidates = ORGANIZATION_ARGUMENTS.has(argument.name) || (family === 'organization' && argument.name === 'name')
    ? await organizations(casdoor)
    : argument.name === 'id' && family
      ? await objectIds(casdoor, family, argument.value)
      : [];
  const p = caller.principal;
  const orgs = administeredOrganizations(p);
  const mayRead = (c: Candidate): boolean => {
    if (orgs === 'none') {
      // A plain user: their own organization, and their own user id; nothing to enumerate.
      if (p.type !== 'user') return false;
      return ORGANIZATION_ARGUMENTS.has(argument.name) ? c.value === p.owner : c.value === `${p.owner}/${p.name}` || (family === 'organization' && c.value === `admin/${p.owner}`);
    }
    // A global provider: every administrator reads it, only global administrators change it.
    if (c.organization === undefined) return orgs === 'all' || tool.access.action === 'read';
    try {
      registry.operator.assertOrganization(c.organization, tool.name);
      checkOrganization(p, tool.name, tool.access, c.organization);
      return true;
    } catch (err) {
      if (err instanceof ForbiddenError) return false;
      throw err;
    }
  };
  const values = candidates.filter((c) => c.value.startsWith(argument.value) && mayRead(c)).map((c) => c.value);
  return { completion: { values: values.slice(0, MAX_VALUES), total: values.length, hasMore: values.length > MAX_VALUES } };
}

async function organizations(casdoor: CasdoorAdapter): Promise<Candidate[]> {
  const { items } = await casdoor.listObjects('organization', { owner: 'admin', page: 1, pageSize: 1000 });
  return items.map((o) => ({ value: o.name, organization: o.name }));
}

async function objectIds(casdoor: CasdoorAdapter, family: CasdoorFamily | 'application' | 'user', typed: string): Promise<Candidate[]> {
  // "acme/..." narrows the listing to that owner where the id's owner is the organization.
  const owner = typed.includes('/') ? typed.slice(0, typed.indexOf('/')) : undefined;
  if (family === 'application') {
    const { items } = await casdoor.listApplications({ page: 1, pageSize: 1000 });
    return items.map((a) => ({ value: `admin/${a.name}`, organization: a.organization }));
  }
  if (family === 'user') {
    const { items } = await casdoor.listUsers({ owner, page: 1, pageSize: 1000 });
    return items.map((u) => ({ value: `${u.owner}/${u.name}`, organization: u.owner }));
  }
  const narrow = owner && family !== 'organization' && family !== 'token' ? owner : '';
  const { items } = await casdoor.listObjects(family, { owner: family === 'organization' || family === 'token' ? 'admin' : narrow, page: 1, pageSize: 1000 });
  return items.map((o) => ({
    value: `${o.owner}/${o.name}`,
    organization: family === 'organization' ? o.name : family === 'token' ? String(o.organization ?? '') : family === 'provider' && o.owner === 'admin' ? undefined : o.owner,
  }));
}
