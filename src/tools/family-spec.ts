import { z } from 'zod';
import type { ToolAccess } from '../auth/policy.js';
import type { CasdoorFamily, CasdoorObject } from '../casdoor/types.js';
import { ToolError, type ToolContext } from '../mcp/tool.js';
import { applicationName } from './application-fields.js';

/**
 * One Casdoor object family as tools see it (organizations, roles, permissions, providers, tokens,
 * groups): ids, writable fields, summary, secrets and caller rules. family-reads.ts and
 * family-writes.ts build the tools from it, so each family's file says only what differs.
 */
export interface FamilySpec {
  family: CasdoorFamily;
  /** Tool-name words: get_<plural>, get_<noun>, add_<noun>, ... */
  noun: string;
  plural: string;
  /** What one is, for descriptions ("a role: a named set of users, groups and sub-roles"). */
  about: string;
  /** An example id, e.g. "acme/acme-admins". */
  example: string;
  /** Owner of every object ("admin" for organizations and tokens), else undefined: the owner is the organization. */
  fixedOwner?: 'admin';
  /** Writable fields, strict, including name; undefined for families that cannot be created or changed (tokens). */
  fields?: z.ZodObject;
  /** The fields a list shows besides owner and name. */
  summary: readonly string[];
  /** Secret material: "***" for all but global admins, never echoed by writes. */
  secrets: readonly string[];
  /** Never shown to anyone (token values). */
  hidden?: readonly string[];
  /** The organization an object belongs to, for the caller rules. */
  organizationOf(object: CasdoorObject): string;
  /** Objects every organization admin may read (the global providers). */
  shared?(object: CasdoorObject): boolean;
  /** The list tool's filter argument: the owner, or (tokens) the organization column. */
  listFilter: 'owner' | 'organization' | 'none';
  access?: Partial<Record<'list' | 'get' | 'add' | 'delete', ToolAccess>>;
  /** Why a name cannot be deleted or renamed (built-in). */
  protectedName?(name: string): string | undefined;
  /** Fields Casdoor's UI sets on creation. */
  createDefaults?(created: { owner: string; name: string }): Record<string, unknown>;
  /** Extra sentence for the add/update descriptions. */
  writeNote?: string;
}

export const idOf = (o: { owner: string; name: string }): string => `${o.owner}/${o.name}`;

export function splitId(id: string): { owner: string; name: string } {
  const at = id.indexOf('/');
  return { owner: id.slice(0, at), name: id.slice(at + 1) };
}

/** "<owner>/<name>" with both parts free of the characters Casdoor forbids; owner fixed when the family has one. */
export function idSchema(spec: FamilySpec): z.ZodType<string> {
  const owner = spec.fixedOwner ? `${spec.fixedOwner}/` : '<organization>/';
  const name = spec.family === 'token' ? z.string().regex(/^[A-Za-z0-9-]{1,100}$/) : applicationName;
  return z
    .string()
    .regex(spec.fixedOwner ? new RegExp(`^${spec.fixedOwner}/[^/]+$`) : /^[^/]+\/[^/]+$/, `${spec.noun} ids look like "${owner}<name>", e.g. "${spec.example}"`)
    .refine((v) => applicationName.safeParse(splitId(v).owner).success && name.safeParse(splitId(v).name).success, 'the id has characters Casdoor forbids')
    .describe(`e.g. "${spec.example}"`);
}

/** The organization an id names before anything is read, when the id alone says it. */
export function targetOf(spec: FamilySpec, id: string): string | undefined {
  const { owner, name } = splitId(id);
  if (spec.family === 'organization') return name;
  if (spec.family === 'token') return undefined;
  return owner;
}

/** What the caller may see of an object: hidden fields gone, secrets masked unless a global admin. */
export function present(spec: FamilySpec, object: CasdoorObject, ctx: Pick<ToolContext, 'canSeeSecrets'>): CasdoorObject {
  const out: CasdoorObject = { ...object };
  for (const key of spec.hidden ?? []) delete out[key];
  if (!ctx.canSeeSecrets) for (const key of spec.secrets) if (typeof out[key] === 'string' && out[key] !== '') out[key] = '***';
  return out;
}

/** What a write result shows: like present, but secrets never, whoever asks. */
export function echo(spec: FamilySpec, object: CasdoorObject): CasdoorObject {
  const out = present(spec, object, { canSeeSecrets: true });
  for (const key of spec.secrets) if (typeof out[key] === 'string' && out[key] !== '') out[key] = '(set)';
  return out;
}

export async function load(spec: FamilySpec, ctx: ToolContext, id: string): Promise<CasdoorObject> {
  const object = await ctx.casdoor.getObject(spec.family, id);
  if (!object) throw new ToolError(`${spec.noun} ${id} not found; call get_${spec.plural} to see what exists`);
  return object;
}

/** The caller rules for reading one object: shared objects are readable by every administrator. */
export function checkRead(spec: FamilySpec, ctx: ToolContext, object: CasdoorObject): void {
  if (spec.shared?.(object)) return;
  ctx.checkOrganization(spec.organizationOf(object));
}

export function mayRead(spec: FamilySpec, ctx: ToolContext, object: CasdoorObject): boolean {
  try {
    checkRead(spec, ctx, object);
    return true;
  } catch {
    return false;
  }
}

/** The same fields without their descriptions: an update tool lists them again after its add tool. */
export function undescribed(fields: z.ZodObject): z.ZodObject {
  // clone(def) makes a copy not linked to the described original (clone() would inherit its description).
  const plain = (field: z.ZodType): z.ZodType => field.clone({ ...field._zod.def } as typeof field._zod.def);
  return z.object(Object.fromEntries(Object.entries(fields.shape).map(([key, field]) => [key, plain(field as z.ZodType)]))).strict();
}

export const ObjectOut = z.object({ owner: z.string(), name: z.string() }).passthrough();

/** A list of member ids "<organization>/<name>" (users, groups, roles). */
export const memberIds = (what: string) =>
  z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, `${what} ids look like "<organization>/<name>"`));
