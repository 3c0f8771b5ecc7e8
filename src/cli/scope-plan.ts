import type { ScopeDoc } from '../auth/scopes.js';

/** Casdoor's Application.scopes entry (ScopeItem): what token requests are checked against. */
export interface ScopeItem {
  name: string;
  displayName: string;
  description: string;
  tools: string[];
}

/** Casdoor's Application.customScopes entry: what the consent screen shows. */
export interface CustomScope {
  scope: string;
  displayName: string;
  description: string;
}

export interface Change {
  name: string;
  kind: 'add' | 'update' | 'remove' | 'keep';
  /** For updates: "field: old → new" lines. */
  details: string[];
  /** Canonical scope (not an alias), for check's severity. */
  canonical: boolean;
}

export interface ScopePlan {
  scopes: ScopeItem[];
  customScopes: CustomScope[];
  scopeChanges: Change[];
  customScopeChanges: Change[];
  /** Whether anything would be written. */
  changed: boolean;
  unchanged: number;
}

/** What scopes.json asks Casdoor to hold: every canonical scope, then every alias (Casdoor checks those too). */
export function desiredScopes(doc: ScopeDoc): { items: ScopeItem[]; canonical: Set<string> } {
  const items: ScopeItem[] = Object.entries(doc.scopes).map(([name, s]) => ({ name, displayName: s.displayName, description: s.description, tools: [...s.tools] }));
  for (const [name, alias] of Object.entries(doc.aliases)) {
    const tools = [...new Set(alias.grants.flatMap((g) => doc.scopes[g]?.tools ?? []))];
    items.push({ name, displayName: name, description: alias.description, tools });
  }
  return { items, canonical: new Set(Object.keys(doc.scopes)) };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
const show = (v: string): string => JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);

/**
 * Compares the application's scopes and customScopes with scopes.json. Scopes scopes.json defines
 * are added or corrected; others are kept in place, or removed with `prune`. Order: existing
 * entries where they are, new ones at the end in scopes.json order.
 */
export function planScopes(app: Record<string, unknown>, doc: ScopeDoc, prune: boolean): ScopePlan {
  const { items: wanted, canonical } = desiredScopes(doc);
  const byName = new Map(wanted.map((w) => [w.name, w]));
  const scopeChanges: Change[] = [];
  const customScopeChanges: Change[] = [];
  let unchanged = 0;

  const scopes: ScopeItem[] = [];
  const seen = new Set<string>();
  for (const raw of Array.isArray(app.scopes) ? (app.scopes as Record<string, unknown>[]) : []) {
    const current: ScopeItem = { name: str(raw?.name), displayName: str(raw?.displayName), description: str(raw?.description), tools: strings(raw?.tools) };
    const want = byName.get(current.name);
    if (!want || seen.has(current.name)) {
      if (prune || seen.has(current.name)) scopeChanges.push({ name: current.name, kind: 'remove', details: [], canonical: false });
      else {
        scopeChanges.push({ name: current.name, kind: 'keep', details: [], canonical: false });
        scopes.push(raw as unknown as ScopeItem); // untouched
      }
      continue;
    }
    seen.add(current.name);
    const details: string[] = [];
    if (current.displayName !== want.displayName) details.push(`displayName: ${show(current.displayName)} → ${show(want.displayName)}`);
    if (current.description !== want.description) details.push(`description: ${show(current.description)} → ${show(want.description)}`);
    if (!sameSet(current.tools, want.tools)) details.push(`tools: [${current.tools.join(', ')}] → [${want.tools.join(', ')}]`);
    if (details.length > 0) scopeChanges.push({ name: want.name, kind: 'update', details, canonical: canonical.has(want.name) });
    else unchanged += 1;
    scopes.push(details.length > 0 ? { ...(raw as object), ...want } : (raw as unknown as ScopeItem));
  }
  for (const want of wanted) {
    if (seen.has(want.name)) continue;
    scopeChanges.push({ name: want.name, kind: 'add', details: [], canonical: canonical.has(want.name) });
    scopes.push(want);
  }

  const customScopes: CustomScope[] = [];
  const seenCustom = new Set<string>();
  for (const raw of Array.isArray(app.customScopes) ? (app.customScopes as Record<string, unknown>[]) : []) {
    const current: CustomScope = { scope: str(raw?.scope), displayName: str(raw?.displayName), description: str(raw?.description) };
    const want = byName.get(current.scope);
    if (!want || seenCustom.has(current.scope)) {
      if (prune || seenCustom.has(current.scope)) customScopeChanges.push({ name: current.scope, kind: 'remove', details: [], canonical: false });
      else {
        customScopeChanges.push({ name: current.scope, kind: 'keep', details: [], canonical: false });
        customScopes.push(raw as unknown as CustomScope);
      }
      continue;
    }
    seenCustom.add(current.scope);
    const details: string[] = [];
    if (current.displayName !== want.displayName) details.push(`displayName: ${show(current.displayName)} → ${show(want.displayName)}`);
    if (current.description !== want.description) details.push(`description: ${show(current.description)} → ${show(want.description)}`);
    if (details.length > 0) customScopeChanges.push({ name: want.name, kind: 'update', details, canonical: canonical.has(want.name) });
    else unchanged += 1;
    customScopes.push({ scope: want.name, displayName: want.displayName, description: want.description });
  }
  for (const want of wanted) {
    if (seenCustom.has(want.name)) continue;
    customScopeChanges.push({ name: want.name, kind: 'add', details: [], canonical: canonical.has(want.name) });
    customScopes.push({ scope: want.name, displayName: want.displayName, description: want.description });
  }

  const changed = [...scopeChanges, ...customScopeChanges].some((c) => c.kind !== 'keep');
  return { scopes, customScopes, scopeChanges, customScopeChanges, changed, unchanged };
}

const MARK: Record<Change['kind'], string> = { add: '+', update: '~', remove: '-', keep: '·' };

/** The diff as text lines, one per change (and one per changed field). */
export function renderChanges(title: string, changes: readonly Change[]): string[] {
  if (changes.length === 0) return [`${title}: already as in scopes.json`];
  const lines = [`${title}:`];
  const width = Math.max(...changes.map((c) => c.name.length));
  for (const c of changes) {
    const note =
      c.kind === 'add' ? 'missing: added'
      : c.kind === 'remove' ? 'not in scopes.json: removed (--prune)'
      : c.kind === 'keep' ? 'not in scopes.json: kept (--prune removes it)'
      : 'differs from scopes.json:';
    lines.push(`  ${MARK[c.kind]} ${c.name.padEnd(width)}  ${note}`);
    for (const d of c.details) lines.push(`  ${' '.repeat(width + 4)}${d}`);
  }
  return lines;
}
