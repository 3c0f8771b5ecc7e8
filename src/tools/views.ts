import { z } from 'zod';
import { ToolError } from '../mcp/tool.js';

/**
 * What a list tool returns per item: a summary by default (identity and the few fields an
 * administrator scans), the named `fields`, or with `full` the whole object as the get tool gives it.
 */
export const viewArgs = {
  fields: z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'a field name such as displayName'))
    .min(1)
    .max(60)
    .optional()
    .describe('Fields instead of the summary (plus owner, name)'),
  full: z.boolean().optional().describe('true: whole items (large)'),
};

export type ViewArgs = { fields?: string[] | undefined; full?: boolean | undefined };

const IDENTITY = ['owner', 'name'] as const;

function pick(item: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in item) out[key] = item[key];
  return out;
}

/** Items as the caller asked: summary keys, the named fields, or whole. Unknown field names are an error. */
export function viewOf(
  items: readonly Record<string, unknown>[],
  summary: readonly string[],
  args: ViewArgs,
  identity: readonly string[] = IDENTITY,
): Record<string, unknown>[] {
  if (args.full && args.fields) throw new ToolError('give either fields or full: true, not both');
  if (args.full) return [...items];
  if (!args.fields) return items.map((item) => pick(item, [...identity, ...summary]));
  const known = new Set(items.flatMap((item) => Object.keys(item)));
  const unknown = items.length === 0 ? [] : args.fields.filter((f) => !known.has(f));
  if (unknown.length > 0) {
    throw new ToolError(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; these items have: ${[...known].join(', ')}`);
  }
  return items.map((item) => pick(item, [...identity, ...args.fields!]));
}

/** What get_applications shows of each application by default. */
export const APPLICATION_SUMMARY = ['displayName', 'clientId', 'createdTime'] as const;

/** An application is identified by owner, name and (since every owner is "admin") its organization. */
export const APPLICATION_IDENTITY = ['owner', 'name', 'organization'] as const;

/** What get_users shows of each user by default. */
export const USER_SUMMARY = [
  'id', 'displayName', 'email', 'phone', 'type', 'tag', 'isAdmin', 'isForbidden', 'isDeleted', 'signupApplication', 'createdTime',
] as const;
