import type { Caller } from '../auth/caller.js';
import type { ToolRegistry } from './registry.js';

/**
 * Administrator prompts: worked procedures an agent can follow with this server's tools. Each names
 * the tools it uses, and a caller is offered a prompt only when tools/list shows them every one of
 * those tools: a prompt that sends the agent to tools it cannot call would only fail halfway.
 */
export interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
  /** The tool argument whose completions (src/mcp/completions.ts) this argument shares. */
  completeAs: { tool: string; argument: string };
}

export interface PromptDefinition {
  name: string;
  title: string;
  description: string;
  arguments: readonly PromptArgument[];
  /** Every tool the messages tell the agent to call. */
  tools: readonly string[];
  text(args: Readonly<Record<string, string>>): string;
}

/** A prompt as prompts/list shows it. */
export interface ListedPrompt {
  name: string;
  title: string;
  description: string;
  arguments: { name: string; description: string; required: boolean }[];
  _meta: { tools: string[] };
}

export const PROMPTS: readonly PromptDefinition[] = [
  {
    name: 'review_application_oauth',
    title: "Review an application's OAuth configuration",
    description: 'Reads one application and reports weaknesses in its OAuth/OIDC settings, changing nothing.',
    arguments: [
      { name: 'id', description: 'The application id, "admin/<name>"', required: true, completeAs: { tool: 'get_application', argument: 'id' } },
    ],
    tools: ['get_application'],
    text: ({ id = '' }) =>
      [
        `Review the OAuth configuration of the Casdoor application ${id}. Change nothing.`,
        `1. Call get_application with {"id": ${JSON.stringify(id)}}.`,
        '2. Check, and report each finding with a severity (high, medium, low) and the field it concerns:',
        '   - redirectUris: every entry https (http only for localhost during development), no wildcards or open patterns, no stale hosts;',
        '   - grantTypes: "implicit" and "password" only if something still needs them; "client_credentials" only for machine clients;',
        '   - expireInHours and refreshExpireInHours: access tokens short-lived (hours, not weeks), refresh tokens bounded;',
        '   - tokenFormat and tokenFields: no more user data in tokens than the relying parties need;',
        '   - enablePassword and enableSignUp: sign-in methods and self sign-up as the organization intends;',
        '   - cert: the certificate that signs its tokens exists and is the intended one.',
        '3. End with the changes you recommend, as update_application arguments for a human to approve; do not apply them.',
      ].join('\n'),
  },
  {
    name: 'offboard_user',
    title: 'Offboard a user',
    description: "Finds a user, forbids their sign-in and revokes every token they still hold, each step previewed with dry_run first.",
    arguments: [
      { name: 'id', description: 'The user id, "<organization>/<name>"', required: true, completeAs: { tool: 'get_user', argument: 'id' } },
    ],
    tools: ['get_user', 'update_user', 'get_tokens', 'delete_token'],
    text: ({ id = '' }) => {
      const [organization = '', name = ''] = id.split('/');
      return [
        `Offboard the Casdoor user ${id}.`,
        `1. Call get_user with {"id": ${JSON.stringify(id)}} and show who this is (display name, email, admin flag). If the user does not exist, stop.`,
        `2. Call update_user with {"id": ${JSON.stringify(id)}, "user": {"isForbidden": true}, "dry_run": true}, show the preview, then call it again without dry_run.`,
        `3. Call get_tokens with {"organization": ${JSON.stringify(organization)}}, paging until hasMore is false, and keep the tokens whose user is ${JSON.stringify(name)}.`,
        '4. Revoke each of them with delete_token (it asks for confirmation), one at a time.',
        '5. Report what was forbidden and revoked, and anything that failed.',
      ].join('\n');
    },
  },
  {
    name: 'audit_admins',
    title: 'Audit who holds admin rights',
    description: 'Lists the users of one organization who are administrators, and the global administrators, for a human to review.',
    arguments: [
      { name: 'organization', description: 'The organization to audit, e.g. "acme"', required: true, completeAs: { tool: 'get_users', argument: 'owner' } },
    ],
    tools: ['get_users'],
    text: ({ organization = '' }) =>
      [
        `Audit who holds administrator rights in the Casdoor organization ${organization}. Change nothing.`,
        `1. Call get_users with {"owner": ${JSON.stringify(organization)}, "pageSize": 100}, paging until hasMore is false, and keep the users whose isAdmin is true.`,
        '2. Call get_users with {"owner": "built-in", "pageSize": 100} the same way: every user of built-in is a global administrator of all organizations (if this is refused, say that only a global administrator can see them).',
        '3. Report both lists in a table (id, display name, email, forbidden or not), and flag accounts that look unused, shared or forbidden yet still admin.',
      ].join('\n'),
  },
];

/**
 * The prompts a caller may see, in PROMPTS order. Computed once per distinct tool list (the
 * registry keeps one array per scope set), like tools/list.
 */
export function createPromptCatalog(registry: ToolRegistry, prompts: readonly PromptDefinition[] = PROMPTS) {
  for (const p of prompts) for (const t of [...p.tools, ...p.arguments.map((a) => a.completeAs.tool)]) {
    if (!registry.get(t)) throw new Error(`prompt ${p.name} names unknown tool ${t}`);
  }
  const byTools = new WeakMap<readonly unknown[], readonly ListedPrompt[]>();
  const byName = new Map(prompts.map((p) => [p.name, p]));
  function visibleTo(caller: Caller): readonly ListedPrompt[] {
    const tools = registry.visibleTo(caller);
    let hit = byTools.get(tools);
    if (!hit) {
      const names = new Set(tools.map((t) => t.name));
      hit = prompts
        .filter((p) => p.tools.every((t) => names.has(t)))
        .map((p) => ({
          name: p.name,
          title: p.title,
          description: p.description,
          arguments: p.arguments.map(({ name, description, required }) => ({ name, description, required })),
          _meta: { tools: [...p.tools] },
        }));
      byTools.set(tools, hit);
    }
    return hit;
  }
  return {
    visibleTo,
    /** The prompt `name` if this caller may see it, else undefined (unknown and hidden look the same). */
    find(name: string, caller: Caller): PromptDefinition | undefined {
      const p = byName.get(name);
      return p && visibleTo(caller).some((l) => l.name === name) ? p : undefined;
    },
  };
}

export type PromptCatalog = ReturnType<typeof createPromptCatalog>;
