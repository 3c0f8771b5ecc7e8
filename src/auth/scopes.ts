import { z } from 'zod';

/**
 * The scope vocabulary, read from scopes.json: canonical scopes with the tools they grant, and
 * aliases (upstream Casdoor's `application:read` spellings and its `read`/`write`/`admin`
 * convenience scopes) that expand to canonical scopes.
 */
const ScopeDocSchema = z.object({
  scopes: z.record(
    z.string().regex(/^[a-z]+:[a-z_]+$/, 'canonical scopes look like read:application'),
    z.object({
      displayName: z.string().min(1),
      description: z.string().min(1),
      tools: z.array(z.string().min(1)).min(1),
    }),
  ),
  aliases: z.record(
    z.string().min(1),
    z.object({ description: z.string().min(1), grants: z.array(z.string().min(1)).min(1) }),
  ),
});
export type ScopeDoc = z.infer<typeof ScopeDocSchema>;

export interface ScopeRegistry {
  /** Canonical scope names, in scopes.json order (what PRM publishes; never an alias or wildcard). */
  readonly canonical: readonly string[];
  readonly doc: ScopeDoc;
  /** The one canonical scope that grants `tool`, or undefined for a tool that needs no scope. */
  requiredScope(tool: string): string | undefined;
  /**
   * Canonical scopes granted by raw scope tokens from an access token. Matching is exact and
   * case-sensitive (OAuth scope tokens are case-sensitive, RFC 6749 §3.3); unknown tokens are ignored.
   */
  expand(granted: readonly string[]): ReadonlySet<string>;
}

/**
 * Validates scopes.json against the tool names the server registers. Throws at start when a scope
 * names a tool that does not exist, an alias grants an unknown scope, or a tool is granted by more
 * than one scope; tools absent from every scope are reported by `unscopedTools` for the caller to judge.
 */
export function createScopeRegistry(raw: unknown, toolNames: readonly string[]): ScopeRegistry {
  const doc = ScopeDocSchema.parse(raw);
  const known = new Set(toolNames);
  const scopeOfTool = new Map<string, string>();
  for (const [scope, def] of Object.entries(doc.scopes)) {
    for (const tool of def.tools) {
      if (!known.has(tool)) throw new Error(`scopes.json: scope ${scope} names unknown tool ${tool}`);
      const previous = scopeOfTool.get(tool);
      if (previous) throw new Error(`scopes.json: tool ${tool} is in both ${previous} and ${scope}`);
      scopeOfTool.set(tool, scope);
    }
  }
  const expansions = new Map<string, readonly string[]>();
  for (const scope of Object.keys(doc.scopes)) expansions.set(scope, [scope]);
  for (const [alias, def] of Object.entries(doc.aliases)) {
    if (expansions.has(alias)) throw new Error(`scopes.json: alias ${alias} shadows a canonical scope`);
    for (const target of def.grants) {
      if (!(target in doc.scopes)) throw new Error(`scopes.json: alias ${alias} grants unknown scope ${target}`);
    }
    expansions.set(alias, def.grants);
  }
  return {
    canonical: Object.keys(doc.scopes),
    doc,
    requiredScope: (tool) => scopeOfTool.get(tool),
    expand(granted) {
      const out = new Set<string>();
      for (const token of granted) for (const scope of expansions.get(token) ?? []) out.add(scope);
      return out;
    },
  };
}

/** Tools that no scope grants (a test requires this to hold only for tools meant to need no scope). */
export function unscopedTools(registry: ScopeRegistry, toolNames: readonly string[]): string[] {
  return toolNames.filter((t) => registry.requiredScope(t) === undefined);
}
