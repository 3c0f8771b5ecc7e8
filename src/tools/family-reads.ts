import { z } from 'zod';
import { administeredOrganizations } from '../auth/caller.js';
import type { CasdoorObject } from '../casdoor/types.js';
import { defineTool, type AnyTool, type ToolContext } from '../mcp/tool.js';
import { applicationName } from './application-fields.js';
import { checkRead, idSchema, load, mayRead, ObjectOut, present, targetOf, type FamilySpec } from './family-spec.js';
import { pageArgs, pageFields, pageInfo } from './paging.js';
import { viewArgs, viewOf } from './views.js';

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

/** The one organization a caller who is not a global administrator sees. */
function ownOrganization(ctx: ToolContext): string | undefined {
  if (ctx.ownOrganization) return ctx.ownOrganization;
  const p = ctx.caller.principal;
  return p.type === 'user' && administeredOrganizations(p) !== 'all' ? p.owner : undefined;
}

async function fetchPage(spec: FamilySpec, ctx: ToolContext, args: Record<string, unknown>, page: number, pageSize: number) {
  if (spec.listFilter === 'none') {
    // Organizations: anyone but a global administrator sees exactly their own (as Casdoor's get-organizations).
    const own = ownOrganization(ctx);
    if (own === undefined) return ctx.casdoor.listObjects(spec.family, { owner: 'admin', page, pageSize });
    const org = await ctx.casdoor.getObject(spec.family, `admin/${own}`);
    return { items: org && page === 1 ? [org] : [], total: org ? 1 : 0 };
  }
  const filter = (args[spec.listFilter] as string | undefined) ?? ctx.ownOrganization;
  if (spec.listFilter === 'organization') return ctx.casdoor.listObjects(spec.family, { owner: 'admin', organization: filter, page, pageSize });
  return ctx.casdoor.listObjects(spec.family, { owner: filter ?? '', page, pageSize });
}

export function listTool(spec: FamilySpec): AnyTool {
  const filter =
    spec.listFilter === 'none'
      ? {}
      : {
          [spec.listFilter]: applicationName
            .optional()
            .describe('Organization, e.g. "acme" (an organization admin gets only hers)'),
        };
  const scope =
    spec.listFilter === 'none'
      ? 'Global admins see every organization, others only their own.'
      : `Global admins may leave ${spec.listFilter} out to list all.`;
  return defineTool({
    name: `get_${spec.plural}`,
    title: `List ${spec.plural}`,
    description:
      `List Casdoor ${spec.plural} (${spec.about}), newest first, paged, with the total. Summaries ` +
      `(${['owner', 'name', ...spec.summary].join(', ')}); fields or full: true for more. ${scope}` +
      (spec.secrets.length ? ' Secrets masked unless you are a global admin.' : ''),
    input: z.object({ ...filter, ...pageArgs(), ...viewArgs }).strict(),
    output: z.object({ [spec.plural]: z.array(ObjectOut), ...pageFields }),
    annotations: READ,
    access: spec.access?.list ?? { action: 'read' },
    targetOrganization: (args: Record<string, unknown>) => (spec.listFilter === 'none' ? undefined : (args[spec.listFilter] as string | undefined)),
    async run(args: Record<string, unknown> & { page: number; pageSize: number }, ctx: ToolContext) {
      const { items, total } = await fetchPage(spec, ctx, args, args.page, args.pageSize);
      // Belt and braces: an object the caller may not read never leaves, whatever Casdoor sent.
      const shown = items.filter((o: CasdoorObject) => mayRead(spec, ctx, o)).map((o: CasdoorObject) => present(spec, o, ctx));
      return { [spec.plural]: viewOf(shown, spec.summary, args as never), ...pageInfo(args, total) };
    },
  });
}

export function getTool(spec: FamilySpec): AnyTool {
  const id = idSchema(spec);
  return defineTool({
    name: `get_${spec.noun}`,
    title: `Get a ${spec.noun}`,
    description:
      `Get one Casdoor ${spec.noun} by id, every field.` +
      (spec.secrets.length ? ` ${spec.secrets.join(', ')} masked unless you are a global admin.` : '') +
      (spec.hidden?.length ? ` ${spec.hidden.join(', ')} are never shown.` : ''),
    input: z.object({ id }).strict(),
    output: z.object({ [spec.noun]: ObjectOut }),
    annotations: READ,
    access: spec.access?.get ?? { action: 'read' },
    // A shared object's owner ("admin") is no organization: decided once it is read.
    targetOrganization: (args: { id: string }) => {
      const target = targetOf(spec, args.id);
      return spec.shared && target === 'admin' ? undefined : target;
    },
    async run(args: { id: string }, ctx: ToolContext) {
      const object = await load(spec, ctx, args.id);
      checkRead(spec, ctx, object);
      return { [spec.noun]: present(spec, object, ctx) };
    },
  });
}
