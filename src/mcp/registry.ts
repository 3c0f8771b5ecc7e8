import { z } from 'zod';
import type { Caller } from '../auth/caller.js';
import type { ScopeRegistry } from '../auth/scopes.js';
import { OPEN_POLICY, type OperatorPolicy } from '../ops/operator-policy.js';
import type { AnyTool } from './tool.js';

/** A tool as tools/list shows it, computed once at start. */
export interface ListedTool {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: AnyTool['annotations'] & { title: string };
  _meta: { requiredScopes: string[] };
}

export interface ToolRegistry {
  get(name: string): AnyTool | undefined;
  readonly names: readonly string[];
  requiredScope(name: string): string | undefined;
  /**
   * The tools a caller may see: all for anonymous browsing and session cookies, else those its scopes
   * grant; never one the operator disabled.
   */
  visibleTo(caller: Caller): readonly ListedTool[];
  /** What the operator narrowed for everyone (decide() applies it to every call). */
  readonly operator: OperatorPolicy;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return saysSomething(rest) as Record<string, unknown>;
}

const SAFE_INTEGER = new Set([Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);

/**
 * Drops what constrains nothing and only grows tools/list: `additionalProperties: {}` (zod's
 * passthrough and records of unknown; strict validators warn on it), `propertyNames: {type:
 * "string"}` (every JSON key is one) and the safe-integer bounds zod puts on every integer.
 */
function saysSomething(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(saysSomething);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && isEmptySchema(value)) continue;
    if (key === 'propertyNames' && JSON.stringify(value) === '{"type":"string"}') continue;
    if ((key === 'minimum' || key === 'maximum') && SAFE_INTEGER.has(value as number)) continue;
    out[key] = saysSomething(value);
  }
  return out;
}

/** The listed tool with `argument` shown as a pointer to `tool`'s fields of the same name. */
function pointing(t: ListedTool, to: { argument: string; tool: string; except?: readonly string[] }): ListedTool {
  const properties = t.inputSchema.properties as Record<string, { description?: string }>;
  const said = properties[to.argument]?.description;
  const pointer = {
    type: 'object',
    description:
      `Any of ${to.tool}'s ${to.argument} fields${to.except?.length ? ` except ${to.except.join(', ')}` : ''}, same names and types` +
      (said ? `. ${said}` : ''),
  };
  return { ...t, inputSchema: { ...t.inputSchema, properties: { ...properties, [to.argument]: pointer } } };
}

const isEmptySchema = (v: unknown): boolean => !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

export function createToolRegistry(tools: readonly AnyTool[], scopes: ScopeRegistry, operator: OperatorPolicy = OPEN_POLICY): ToolRegistry {
  // Tools run with their context narrowed to the operator's organizations.
  const byName = new Map(tools.map((t) => [t.name, operator.wrap(t)]));
  if (byName.size !== tools.length) throw new Error('two tools share a name');
  const shown = tools.filter((t) => !operator.disabledReason(t));
  const full = shown.map<ListedTool>((t) => {
    const scope = scopes.requiredScope(t.name);
    return {
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: jsonSchema(t.input, 'input'),
      outputSchema: jsonSchema(t.output, 'output'),
      annotations: { title: t.title, ...t.annotations },
      _meta: { requiredScopes: scope ? [scope] : [] },
    };
  });
  const compact = new Map(
    shown.flatMap((t, i) => (t.listFieldsAs ? [[t.name, { tool: pointing(full[i]!, t.listFieldsAs), partner: t.listFieldsAs.tool }] as const] : [])),
  );
  // A tool that points to another's fields is shown so only where that other tool is listed too.
  const withPointers = (list: readonly ListedTool[]): readonly ListedTool[] => {
    const names = new Set(list.map((t) => t.name));
    return list.map((t) => {
      const short = compact.get(t.name);
      return short && names.has(short.partner) ? short.tool : t;
    });
  };
  const listed = withPointers(full);
  // tools/list output per distinct scope set, computed once: a handful of sets exist in practice.
  const byScopeSet = new Map<string, readonly ListedTool[]>();
  const MAX_CACHED_SETS = 256;
  return {
    get: (name) => byName.get(name),
    names: tools.map((t) => t.name),
    requiredScope: (name) => scopes.requiredScope(name),
    visibleTo(caller) {
      if (caller.kind !== 'token') return listed;
      const key = [...caller.scopes].sort().join(' ');
      let hit = byScopeSet.get(key);
      if (!hit) {
        hit = withPointers(full.filter((t) => t._meta.requiredScopes.every((s) => caller.scopes.has(s))));
        if (byScopeSet.size >= MAX_CACHED_SETS) byScopeSet.clear();
        byScopeSet.set(key, hit);
      }
      return hit;
    },
    operator,
  };
}
