import { ForbiddenError } from '../auth/errors.js';
import type { CasdoorAdapter } from '../casdoor/adapter.js';
import type { CasdoorFamily, CasdoorObject } from '../casdoor/types.js';
import { ConfigError, type OperatorSettings } from '../config.js';
import { isWriteTool, ToolError, type AnyTool, type ToolContext } from '../mcp/tool.js';

/**
 * What the operator narrowed for everyone (MCP_READ_ONLY, MCP_TOOLS, MCP_ALLOWED_ORGANIZATIONS).
 * Built once from the configuration; the registry (tools/list) and the gate's decide() both read
 * it, so no caller, cookie or global admin can get around it.
 */
export interface OperatorPolicy {
  readonly readOnly: boolean;
  /** The allow-listed tool names, or undefined for every tool. */
  readonly tools: ReadonlySet<string> | undefined;
  /** The organizations callers may act on, or undefined for all. */
  readonly allowedOrganizations: ReadonlySet<string> | undefined;
  /** Why the operator removed this tool for everyone, or undefined when it is enabled. */
  disabledReason(tool: AnyTool): string | undefined;
  /** Throws ForbiddenError('organization_not_allowed') for an organization outside the allow-list. */
  assertOrganization(organization: string, tool: string): void;
  /** The tool, with its context narrowed to the allowed organizations (itself when nothing is). */
  wrap<T extends AnyTool>(tool: T): T;
}


/**
 * Builds the policy. Throws ConfigError when MCP_TOOLS names a tool that does not exist, so a typo
 * cannot silently disable everything.
 */
export function createOperatorPolicy(settings: OperatorSettings, knownTools: readonly string[]): OperatorPolicy {
  const unknown = (settings.tools ?? []).filter((t) => !knownTools.includes(t));
  if (unknown.length > 0) {
    throw new ConfigError('MCP_TOOLS', `unknown tool${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${knownTools.join(', ')}`);
  }
  const knownSets = new Set(knownTools.map(toolsetOf).filter((t): t is string => t !== undefined));
  const unknownSets = (settings.toolsets ?? []).filter((t) => !knownSets.has(t));
  if (unknownSets.length > 0) {
    throw new ConfigError('MCP_TOOLSETS', `unknown toolset${unknownSets.length > 1 ? 's' : ''} ${unknownSets.join(', ')}; known: ${[...knownSets].join(', ')}`);
  }
  const toolsets = settings.toolsets ? new Set(settings.toolsets) : undefined;
  const tools = settings.tools ? new Set(settings.tools) : undefined;
  const orgs = settings.allowedOrganizations ? new Set(settings.allowedOrganizations) : undefined;
  const allowed = (org: string): boolean => orgs === undefined || orgs.has(org);
  const listOrgs = (): string => [...(orgs ?? [])].join(', ');

  function assertOrganization(organization: string, tool: string): void {
    if (allowed(organization)) return;
    throw new ForbiddenError(
      'organization_not_allowed',
      `the operator of this server allows acting only on organization${orgs!.size > 1 ? 's' : ''} ${listOrgs()}, not ${organization}`,
      tool,
    );
  }

  /** Casdoor reads are narrowed too, so a tool that forgets checkOrganization still cannot leak. */
  function narrowAdapter(casdoor: CasdoorAdapter, tool: string): CasdoorAdapter {
    // No organization asked for: with one allowed organization the filter is implied; with several
    // the caller must pick one, since filtering Casdoor's pages afterwards would break its pagination.
    const pick = (organization: string | undefined, argument: string): string => {
      if (organization === undefined) {
        if (orgs!.size !== 1) throw new ToolError(`this server only acts on organizations ${listOrgs()}: give ${argument}`);
        organization = [...orgs!][0]!;
      }
      assertOrganization(organization, tool);
      return organization;
    };
    const listUsers: CasdoorAdapter['listUsers'] = async (query) => {
      const page = await casdoor.listUsers({ ...query, owner: pick(query.owner, 'owner') });
      return { ...page, items: page.items.filter((u) => allowed(u.owner)) };
    };
    const listApplications: CasdoorAdapter['listApplications'] = async (query) => {
      const organization = pick(query.organization, 'organization');
      const page = await casdoor.listApplications({ ...query, organization });
      // Shared applications of other organizations come along with an organization's list.
      return { ...page, items: page.items.filter((a) => allowed(a.organization)) };
    };
    const getApplication: CasdoorAdapter['getApplication'] = async (name) => {
      const app = await casdoor.getApplication(name);
      if (app && typeof app.organization === 'string') assertOrganization(app.organization, tool);
      return app;
    };
    // The other families: the organization an object belongs to is its name (organizations), its
    // organization column (tokens) or its owner; global providers (owner "admin") stay readable.
    const orgOf = (family: CasdoorFamily, o: CasdoorObject): string | undefined =>
      family === 'organization' ? o.name : family === 'token' ? String(o.organization ?? '') : family === 'provider' && o.owner === 'admin' ? undefined : o.owner;
    const listObjects: CasdoorAdapter['listObjects'] = async (family, query) => {
      if (family === 'organization') {
        const found = await Promise.all([...orgs!].map((name) => casdoor.getObject(family, `admin/${name}`)));
        const items = found.filter((o): o is CasdoorObject => o !== null);
        return { items: items.slice((query.page - 1) * query.pageSize, query.page * query.pageSize), total: items.length };
      }
      const narrowed =
        family === 'token'
          ? { ...query, organization: pick(query.organization || undefined, 'organization') }
          : { ...query, owner: pick(query.owner || undefined, 'owner') };
      const page = await casdoor.listObjects(family, narrowed);
      return { ...page, items: page.items.filter((o) => { const org = orgOf(family, o); return org === undefined || allowed(org); }) };
    };
    const getObject: CasdoorAdapter['getObject'] = async (family, id) => {
      const object = await casdoor.getObject(family, id);
      const org = object ? orgOf(family, object) : undefined;
      if (org !== undefined) assertOrganization(org, tool);
      return object;
    };
    return new Proxy(casdoor, {
      get(target, prop, receiver) {
        if (prop === 'listApplications') return listApplications;
        if (prop === 'getApplication') return getApplication;
        if (prop === 'listUsers') return listUsers;
        if (prop === 'listObjects') return listObjects;
        if (prop === 'getObject') return getObject;
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  function narrowContext(ctx: ToolContext, tool: string): ToolContext {
    return {
      ...ctx,
      casdoor: narrowAdapter(ctx.casdoor, tool),
      checkOrganization(organization) {
        assertOrganization(organization, tool);
        ctx.checkOrganization(organization);
      },
    };
  }

  return {
    readOnly: settings.readOnly,
    tools,
    allowedOrganizations: orgs,
    disabledReason(tool) {
      if (tools && !tools.has(tool.name)) return 'not in MCP_TOOLS';
      const set = toolsetOf(tool.name);
      if (toolsets && set !== undefined && !toolsets.has(set)) return `its toolset ${set} is not in MCP_TOOLSETS`;
      if (settings.readOnly && isWriteTool(tool)) return 'the server is read-only (MCP_READ_ONLY)';
      return undefined;
    },
    assertOrganization,
    wrap(tool) {
      if (!orgs) return tool;
      return { ...tool, run: (args: unknown, ctx: ToolContext) => tool.run(args, narrowContext(ctx, tool.name)) };
    },
  };
}

/** A tool's family (toolset): "roles" for get_roles, get_role, add_role, ...; undefined for whoami (always offered). */
export function toolsetOf(tool: string): string | undefined {
  const m = /^(?:get|add|update|delete)_([a-z]+?)s?$/.exec(tool);
  return m ? `${m[1]}s` : undefined;
}

/** No narrowing: what a registry built without a policy uses. */
export const OPEN_POLICY: OperatorPolicy = createOperatorPolicy({ readOnly: false, tools: undefined, allowedOrganizations: undefined }, []);
