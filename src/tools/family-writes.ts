import { z } from 'zod';
import { CasdoorError } from '../casdoor/errors.js';
import type { CasdoorObject } from '../casdoor/types.js';
import { defineTool, ToolError, type AnyTool, type ToolContext } from '../mcp/tool.js';
import { applicationName, containsMask } from './application-fields.js';
import { echo, idOf, idSchema, load, ObjectOut, present, splitId, targetOf, undescribed, type FamilySpec } from './family-spec.js';
import { Change, changesOf, confirmDeletion, confirmFields, DeleteOutput, dryRun } from './safety.js';

const MASK = '"***" is Casdoor\'s mask, not a value; leave out the fields you do not want to set';
const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function unaffected(err: unknown, message: string): never {
  if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') throw new ToolError(message);
  throw err;
}

async function assertOrganizationExists(ctx: ToolContext, organization: string): Promise<void> {
  if (!(await ctx.casdoor.getObject('organization', `admin/${organization}`))) {
    throw new ToolError(`organization '${organization}' does not exist; pick an existing one (get_organizations)`);
  }
}

export function addTool(spec: FamilySpec & { fields: z.ZodObject }): AnyTool {
  const fields = spec.fields.partial().required({ name: true });
  const input = spec.fixedOwner
    ? fields
    : fields.extend({ owner: applicationName.describe('Its organization, e.g. "acme"') }).strict();
  return defineTool({
    name: `add_${spec.noun}`,
    title: `Create a ${spec.noun}`,
    description:
      `Create a Casdoor ${spec.noun}: ${spec.fixedOwner ? 'name' : 'owner (an organization) and name'} plus any fields.` +
      `${spec.writeNote ? ` ${spec.writeNote}` : ''} Returns it (secrets as "(set)"). dry_run previews.`,
    input: z.object({ [spec.noun]: input, dry_run: dryRun }).strict(),
    output: z.object({ [spec.noun]: ObjectOut, dryRun: z.boolean().optional() }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    access: spec.access?.add ?? { action: 'write' },
    targetOrganization: (args: Record<string, Record<string, string>>) =>
      spec.fixedOwner ? (spec.family === 'organization' ? args[spec.noun]!.name : undefined) : args[spec.noun]!.owner,
    async run(args: Record<string, unknown>, ctx: ToolContext) {
      const given = args[spec.noun] as Record<string, unknown> & { name: string; owner?: string };
      if (containsMask(given)) throw new ToolError(MASK);
      const owner = spec.fixedOwner ?? given.owner!;
      const draft: CasdoorObject = { ...spec.createDefaults?.({ owner, name: given.name }), createdTime: now(), ...given, owner };
      const id = idOf(draft);
      ctx.checkOrganization(spec.organizationOf(draft));
      if (spec.family !== 'organization' && draft.owner !== 'admin') await assertOrganizationExists(ctx, draft.owner);
      const taken = `${spec.noun} ${id} was not created: the name is already taken; pick another`;
      if (await ctx.casdoor.getObject(spec.family, id)) throw new ToolError(taken);
      if (args.dry_run) return { [spec.noun]: echo(spec, draft), dryRun: true };
      try {
        await ctx.casdoor.addObject(spec.family, draft);
      } catch (err) {
        unaffected(err, taken);
      }
      return { [spec.noun]: echo(spec, await load(spec, ctx, id)) };
    },
  });
}

export function updateTool(spec: FamilySpec & { fields: z.ZodObject }): AnyTool {
  return defineTool({
    name: `update_${spec.noun}`,
    title: `Change a ${spec.noun}`,
    description:
      `Change a Casdoor ${spec.noun}: id and ONLY the fields to change (as in add_${spec.noun}); others keep their values. ` +
      'Lists are replaced whole; a new name renames; "***" is refused. Returns each change (secrets only as changed). dry_run previews.',
    input: z
      .object({ id: idSchema(spec), [spec.noun]: undescribed(spec.fields).partial(), dry_run: dryRun })
      .strict(),
    output: z.object({ id: z.string(), changes: z.array(Change), [spec.noun]: ObjectOut, dryRun: z.boolean().optional() }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    access: { action: 'write' },
    listFieldsAs: { argument: spec.noun, tool: `add_${spec.noun}`, except: spec.fixedOwner ? [] : ['owner'] },
    targetOrganization: (args: { id: string }) => targetOf(spec, args.id),
    async run(args: Record<string, any>, ctx: ToolContext) {
      const { id } = args;
      const patch = args[spec.noun] as Record<string, unknown>;
      if (containsMask(patch)) throw new ToolError(MASK);
      const { name } = splitId(id);
      const renaming = patch.name !== undefined && patch.name !== name;
      const fixed = spec.protectedName?.(name);
      if (renaming && fixed) throw new ToolError(`${fixed} and cannot be renamed`);
      const current = await load(spec, ctx, id);
      ctx.checkOrganization(spec.organizationOf(current));
      // Against what the caller may see, so a dry run is no oracle for masked values.
      const changes = changesOf(present(spec, current, ctx), patch, new Set(spec.secrets));
      const merged: CasdoorObject = { ...current, ...patch } as CasdoorObject;
      const newId = idOf(merged);
      if (renaming && (await ctx.casdoor.getObject(spec.family, newId))) {
        throw new ToolError(`${spec.noun} ${id} was not renamed: ${newId} already exists; pick another name`);
      }
      if (args.dry_run) return { id: newId, changes, [spec.noun]: echo(spec, merged), dryRun: true };
      if (changes.length > 0) {
        if ('updatedTime' in current) merged.updatedTime = now();
        try {
          await ctx.casdoor.updateObject(spec.family, id, merged);
        } catch (err) {
          unaffected(err, `${spec.noun} ${id} was not changed: it may have been deleted meanwhile; call get_${spec.noun} to check`);
        }
      }
      return { id: newId, changes, [spec.noun]: echo(spec, await load(spec, ctx, newId)) };
    },
  });
}

export function deleteTool(spec: FamilySpec, verb = 'Delete', consequence = 'This cannot be undone.'): AnyTool {
  return defineTool({
    name: `delete_${spec.noun}`,
    title: `${verb} a ${spec.noun}`,
    description:
      `${verb} a Casdoor ${spec.noun} by id. ${consequence} The user is asked to confirm when the client can; else give confirm: true ` +
      'and name; without, a preview.',
    input: z.object({ id: idSchema(spec), ...confirmFields }).strict(),
    output: DeleteOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    access: spec.access?.delete ?? { action: 'write' },
    targetOrganization: (args: { id: string }) => targetOf(spec, args.id),
    async run(args: { id: string; confirm?: boolean; name?: string; dry_run?: boolean }, ctx: ToolContext) {
      const { id } = args;
      const fixed = spec.protectedName?.(splitId(id).name);
      if (fixed) throw new ToolError(`${fixed} and cannot be deleted`);
      const object = await load(spec, ctx, id);
      const organization = spec.organizationOf(object);
      ctx.checkOrganization(organization);
      const preview: Record<string, unknown> = { id };
      for (const key of spec.summary) if (key in object) preview[key] = present(spec, object, ctx)[key];
      const stop = await confirmDeletion(ctx, args, {
        kind: spec.noun,
        id,
        name: object.name,
        organization,
        preview,
        question: `${verb} ${spec.noun} ${id}${organization !== object.owner ? ` (organization ${organization})` : ''}? ${consequence}`,
      });
      if (stop) return stop;
      try {
        // The object as read, so Casdoor also removes what hangs on it (a permission's policy rows).
        await ctx.casdoor.deleteObject(spec.family, object);
      } catch (err) {
        unaffected(err, `${spec.noun} ${id} was not deleted: it no longer exists; call get_${spec.noun} to check`);
      }
      return { deleted: true, id, organization };
    },
  });
}
