import type { Caller } from '../auth/caller.js';
import type { ScopeRegistry } from '../auth/scopes.js';
import type { ToolRegistry } from './registry.js';

/**
 * Resources: one document, the scope catalog (scopes.json's canonical scopes, what each is for,
 * which tools it grants here, and the aliases that expand to them), so an agent or a person can
 * see which scope to ask for. It is what Protected Resource Metadata and an anonymous tools/list
 * already publish, so it is the same for everyone (cacheScope public) and needs no credential.
 * Tools the operator disabled are left out, as they are from tools/list.
 */
export const SCOPE_CATALOG_URI = 'casdoor-mcp://scopes';

const ANONYMOUS: Caller = { kind: 'anonymous' };

export interface ResourceCatalog {
  /** resources/list's entries, in a fixed order. */
  readonly list: readonly Record<string, unknown>[];
  /** The contents of `uri`, or undefined for a uri this server does not have. */
  read(uri: string): { uri: string; mimeType: string; text: string }[] | undefined;
}

export function createResourceCatalog(scopes: ScopeRegistry, registry: ToolRegistry): ResourceCatalog {
  const offered = new Set(registry.visibleTo(ANONYMOUS).map((t) => t.name));
  const doc = {
    scopes: Object.entries(scopes.doc.scopes).map(([scope, def]) => ({
      scope,
      displayName: def.displayName,
      description: def.description,
      tools: def.tools.filter((t) => offered.has(t)),
    })),
    aliases: Object.entries(scopes.doc.aliases).map(([alias, def]) => ({ alias, description: def.description, grants: def.grants })),
    unscopedTools: [...offered].filter((t) => scopes.requiredScope(t) === undefined),
  };
  const text = JSON.stringify(doc, null, 2);
  const entry = {
    uri: SCOPE_CATALOG_URI,
    name: 'scopes',
    title: 'Scope catalog',
    description: 'The OAuth scopes this server understands, which tools each grants, and the aliases that expand to them',
    mimeType: 'application/json',
    size: Buffer.byteLength(text),
  };
  return {
    list: [entry],
    read: (uri) => (uri === SCOPE_CATALOG_URI ? [{ uri, mimeType: 'application/json', text }] : undefined),
  };
}
