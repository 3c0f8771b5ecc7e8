import { z } from 'zod';
import { CasdoorError } from '../casdoor/errors.js';
import { defineTool, ToolError, type ToolContext } from '../mcp/tool.js';
import { applicationName, containsMask } from './application-fields.js';
import { admittingReadOnly, USER_READ_ONLY, withoutUnchanged } from './casdoor-shape.js';
import { undescribed } from './family-spec.js';
import { Change, changesOf, confirmFields, confirmDeletion, DeleteOutput, dryRun, quoted } from './safety.js';
import { columnOf, hiddenProperties, isBuiltInAdmin, presentUser, splitUserId, UserFields, userId, UserOut } from './user-fields.js';
import { loadUser } from './users.js';

const NO_SECRETS: ReadonlySet<string> = new Set();

function isSelf(ctx: ToolContext, owner: string, name: string): boolean {
  const p = ctx.caller.principal;
  return p.type === 'user' && p.owner === owner && p.name === name;
}

const updateUser = defineTool({
  name: 'update_user',
  title: 'Change a user',
  description:
    'Change a Casdoor user: id and, in user, ONLY the fields to change. Only those columns are written; every other field stays as it ' +
    'is. A new name renames (not built-in/admin). Neither the organization nor the password changes here. Returns each change, old and ' +
    'new. dry_run previews.',
  input: z
    .object({
      id: userId,
      user: admittingReadOnly(undescribed(UserFields).partial(), USER_READ_ONLY)
        .describe(
          'Only the fields to change, e.g. {"isForbidden":true}. The whole user as read is accepted too: unchanged fields and read-only ' +
            'keys as read are ignored',
        ),
      dry_run: dryRun,
    })
    .strict(),
  output: z.object({ id: z.string(), changes: z.array(Change), user: UserOut, dryRun: z.boolean().optional() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  access: { action: 'write' },
  listFieldsAs: { argument: 'user', tool: 'add_user', except: ['owner', 'password'] },
  targetOrganization: (args) => splitUserId(args.id).owner,
  async run({ id, user: sent, dry_run }, ctx) {
    const given = splitUserId(id);
    if (isBuiltInAdmin(given.owner, given.name) && sent.name !== undefined && sent.name !== given.name) {
      throw new ToolError('built-in/admin is Casdoor\'s first administrator and cannot be renamed');
    }
    const current = await loadUser(ctx, id);
    ctx.checkOrganization(current.owner);
    // The loaded record's own owner and name: a case-insensitive database also finds "Built-in/Admin".
    const { owner, name } = current;
    const visible = presentUser(current);
    const patch = withoutUnchanged(sent, current, visible, USER_READ_ONLY, `user ${id}`) as Partial<z.infer<typeof UserFields>>;
    if (containsMask(patch)) throw new ToolError('"***" is Casdoor\'s mask, not a value; leave out the fields you do not want to change');
    if (isBuiltInAdmin(owner, name) && patch.name !== undefined && patch.name !== name) {
      throw new ToolError('built-in/admin is Casdoor\'s first administrator and cannot be renamed');
    }
    // Changes are computed against what the caller is shown, so hidden properties are no oracle.
    const changes = changesOf(visible, patch, NO_SECRETS);
    const newName = patch.name ?? current.name;
    if (newName !== current.name && (await ctx.casdoor.getUser(owner, newName))) {
      throw new ToolError(`user ${id} was not renamed: ${owner}/${newName} already exists; pick another name`);
    }
    const merged = { ...current, ...patch };
    // The caller replaced the properties they were shown; the hidden (credential) ones stay.
    if (patch.properties !== undefined) merged.properties = { ...hiddenProperties(current.properties), ...(patch.properties ?? {}) };
    const newId = `${owner}/${newName}`;
    if (dry_run) return { id: newId, changes, user: presentUser(merged) as UserOut, dryRun: true };
    if (changes.length > 0) {
      // Casdoor checks the whole body but writes only the listed columns (Cols), so the user as
      // just read with the patch applied goes out, and only the changed columns are named.
      try {
        await ctx.casdoor.updateUser(owner, name, merged, changes.map((c) => columnOf(c.field)));
      } catch (err) {
        if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') {
          throw new ToolError(`user ${id} was not changed: it may have been deleted meanwhile; call get_user to check`);
        }
        throw err;
      }
    }
    return { id: newId, changes, user: presentUser(await loadUser(ctx, newId)) as UserOut };
  },
});

const deleteUser = defineTool({
  name: 'delete_user',
  title: 'Delete a user',
  description:
    'Delete a Casdoor user by id; not built-in/admin, not yourself. Their sessions and tokens end. The user is asked to confirm when ' +
    'the client can; else give confirm: true and name; without, a preview.',
  input: z
    .object({
      id: userId.optional(),
      user: z
        .object({ owner: applicationName, name: applicationName })
        .catchall(z.unknown())
        .optional()
        .describe('Casdoor\'s shape instead of id: {"owner":"acme","name":"alice"}; other keys as read are ignored'),
      ...confirmFields,
    })
    .strict()
    .refine((a) => (a.id === undefined) !== (a.user === undefined), { message: 'give either id or user (Casdoor\'s shape)' }),
  output: DeleteOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  access: { action: 'write' },
  targetOrganization: (args) => (args.id ? splitUserId(args.id).owner : args.user?.owner),
  async run(args, ctx) {
    const asked = args.id ?? `${args.user!.owner}/${args.user!.name}`;
    const given = splitUserId(asked);
    if (isBuiltInAdmin(given.owner, given.name)) throw new ToolError('built-in/admin is Casdoor\'s first administrator and cannot be deleted');
    if (isSelf(ctx, given.owner, given.name)) throw new ToolError('you cannot delete your own user; ask another administrator');
    const user = await loadUser(ctx, asked);
    ctx.checkOrganization(user.owner);
    // Guards and the delete use the loaded record's own owner and name: on a case-insensitive database
    // "Built-in/Admin" loads built-in/admin, and must be refused as such.
    const { owner, name } = user;
    const id = `${owner}/${name}`;
    if (isBuiltInAdmin(owner, name)) throw new ToolError('built-in/admin is Casdoor\'s first administrator and cannot be deleted');
    if (isSelf(ctx, owner, name)) throw new ToolError('you cannot delete your own user; ask another administrator');
    const stop = await confirmDeletion(ctx, args, {
      kind: 'user',
      id,
      name,
      organization: owner,
      preview: {
        id,
        displayName: user.displayName ?? '',
        email: user.email ?? '',
        isAdmin: user.isAdmin === true,
        createdTime: user.createdTime ?? '',
      },
      question: `Delete user ${quoted(id)} (display name ${quoted(user.displayName)}${user.isAdmin ? ', an administrator' : ''})? This cannot be undone.`,
    });
    if (stop) return stop;
    try {
      await ctx.casdoor.deleteUser({ owner, name });
    } catch (err) {
      if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') {
        throw new ToolError(`user ${id} was not deleted: it no longer exists; call get_user to check`);
      }
      throw err;
    }
    return { deleted: true, id, organization: owner };
  },
});

export const userWriteTools = [updateUser, deleteUser];
