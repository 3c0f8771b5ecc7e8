import { z } from 'zod';
import { CasdoorError } from '../casdoor/errors.js';
import { defineTool, ToolError } from '../mcp/tool.js';
import { ApplicationFields, applicationName, applicationProblem, containsMask, presentApplication, SECRET_FIELDS } from './application-fields.js';
import { AppOut, applicationId, loadApplication, nameOf, shownWithoutSecrets } from './applications.js';
import { APPLICATION_READ_ONLY, admittingReadOnly, withoutUnchanged } from './casdoor-shape.js';
import { undescribed } from './family-spec.js';
import { Change, changesOf, confirmDeletion, confirmFields, DeleteOutput, dryRun, quoted } from './safety.js';

const BUILT_IN = 'app-built-in';

const updateApplication = defineTool({
  name: 'update_application',
  title: 'Change an application',
  description:
    'Change a Casdoor application: id and, in application, ONLY the fields to change. Only those columns are written, so every other ' +
    'field (also one changed meanwhile by someone else) stays as it is. Lists are replaced whole: read first, send the full new list. ' +
    'A new name renames; "***" is refused. Returns each change, old and new (secrets only as changed). dry_run previews.',
  input: z
    .object({
      id: applicationId,
      application: admittingReadOnly(undescribed(ApplicationFields).partial(), APPLICATION_READ_ONLY)
        .describe(
          'Only the fields to change, e.g. {"redirectUris":["https://app.example.com/callback"]}. The whole object as read is accepted ' +
            'too: unchanged fields and read-only keys as read are ignored',
        ),
      dry_run: dryRun,
    })
    .strict(),
  output: z.object({ id: z.string(), changes: z.array(Change), application: AppOut, dryRun: z.boolean().optional() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  access: { action: 'write' },
  listFieldsAs: { argument: 'application', tool: 'add_application', except: ['owner'] },
  async run({ id, application: sent, dry_run }, ctx) {
    const current = await loadApplication(ctx, id);
    ctx.checkOrganization(current.organization);
    // What the caller may see of it: changes are computed against this, never against hidden values.
    const visible = presentApplication(current, ctx.canSeeSecrets);
    const patch = withoutUnchanged(sent, current, visible, APPLICATION_READ_ONLY, `application ${id}`) as Partial<z.infer<typeof ApplicationFields>>;
    if (containsMask(patch)) {
      throw new ToolError('"***" is Casdoor\'s mask, not a value; leave out the fields you do not want to change');
    }
    for (const field of ['expireInHours', 'refreshExpireInHours'] as const) {
      const v = patch[field];
      if (v !== undefined && v !== current[field] && !(v > 0)) throw new ToolError(`application ${id} was not changed: ${field} must be > 0 (0 makes tokens expire at once)`);
    }
    // The loaded record's own name: a case-insensitive database finds "App-Built-In" too.
    if (current.name === BUILT_IN && patch.name !== undefined && patch.name !== BUILT_IN) {
      throw new ToolError('app-built-in is Casdoor\'s own application and cannot be renamed');
    }
    if (patch.clientId !== undefined && patch.clientId !== current.clientId) ctx.checkClientId(patch.clientId);
    if (patch.organization !== undefined && patch.organization !== current.organization) {
      ctx.checkOrganization(patch.organization);
      if (!(await ctx.casdoor.getOrganization(patch.organization))) {
        throw new ToolError(`organization '${patch.organization}' does not exist; nothing was changed`);
      }
    }
    const merged = { ...current, ...patch };
    const problem = applicationProblem(merged, patch);
    if (problem) throw new ToolError(`application ${id} was not changed: ${problem}`);
    const changes = changesOf(visible, patch, SECRET_FIELDS);
    const newName = patch.name ?? current.name;
    if (newName !== current.name && (await ctx.casdoor.getApplication(newName))) {
      throw new ToolError(`application ${id} was not renamed: admin/${newName} already exists; pick another name`);
    }
    if (dry_run) return { id: `admin/${newName}`, changes, application: shownWithoutSecrets(merged, ctx), dryRun: true };
    if (changes.length > 0) {
      // Only the changed columns are written, so concurrent changes to other fields survive.
      try {
        await ctx.casdoor.updateApplication(current.name, merged, changes.map((c) => c.field));
      } catch (err) {
        if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') {
          throw new ToolError(`application ${id} was not changed: it may have been deleted, or the new name or clientId is taken`);
        }
        throw err;
      }
    }
    const updated = await loadApplication(ctx, `admin/${newName}`);
    return { id: `admin/${newName}`, changes, application: shownWithoutSecrets(updated, ctx) };
  },
});

const deleteApplication = defineTool({
  name: 'delete_application',
  title: 'Delete an application',
  description:
    'Delete a Casdoor application by id; not app-built-in. Users signed in through it lose it at once. The user is asked to confirm ' +
    'when the client can; else give confirm: true and name; without, a preview.',
  input: z
    .object({
      id: applicationId.optional(),
      application: z
        .object({
          owner: z.literal('admin').optional(),
          name: applicationName,
          organization: applicationName.optional().describe('If given, must be the application\'s'),
        })
        .catchall(z.unknown())
        .optional()
        .describe('Casdoor\'s shape instead of id: {"owner":"admin","name":"...","organization":"..."}; other keys as read are ignored'),
      ...confirmFields,
    })
    .strict()
    .refine((a) => (a.id === undefined) !== (a.application === undefined), { message: 'give either id or application (Casdoor\'s shape)' }),
  output: DeleteOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  access: { action: 'write' },
  async run(args, ctx) {
    const id = args.id ?? `admin/${args.application!.name}`;
    if (nameOf(id) === BUILT_IN) throw new ToolError('app-built-in is Casdoor\'s own application and cannot be deleted');
    const app = await loadApplication(ctx, id);
    ctx.checkOrganization(app.organization);
    // Guards and the delete use the loaded record's own name: a case-insensitive database finds it under other spellings.
    if (app.name === BUILT_IN) throw new ToolError('app-built-in is Casdoor\'s own application and cannot be deleted');
    const asked = args.application?.organization;
    if (asked !== undefined && asked !== app.organization) {
      throw new ToolError(`application ${id} belongs to organization ${app.organization}, not ${asked}; nothing was deleted`);
    }
    const clientId = typeof app.clientId === 'string' ? app.clientId : '';
    const stop = await confirmDeletion(ctx, args, {
      kind: 'application',
      id: `admin/${app.name}`,
      name: app.name,
      organization: app.organization,
      preview: {
        id,
        name: app.name,
        displayName: app.displayName ?? '',
        organization: app.organization,
        clientId,
        createdTime: app.createdTime ?? '',
      },
      question:
        `Delete application ${quoted(`admin/${app.name}`)} (display name ${quoted(app.displayName)}, organization ${quoted(app.organization)}, ` +
        `clientId ${quoted(clientId)})? This cannot be undone.`,
    });
    if (stop) return stop;
    try {
      await ctx.casdoor.deleteApplication({ owner: 'admin', name: app.name, organization: app.organization });
    } catch (err) {
      if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') {
        throw new ToolError(`application ${id} was not deleted: it no longer exists or its organization changed; call get_application to check`);
      }
      throw err;
    }
    return { deleted: true, id: `admin/${app.name}`, organization: app.organization };
  },
});

export const applicationWriteTools = [updateApplication, deleteApplication];
