import { z } from 'zod';
import { CasdoorError } from '../casdoor/errors.js';
import { defineTool, ToolError, type ToolContext } from '../mcp/tool.js';
import { containsMask } from './application-fields.js';
import { undescribed } from './family-spec.js';
import { Change, changesOf, confirmFields, confirmDeletion, DeleteOutput, dryRun } from './safety.js';
import { columnOf, isBuiltInAdmin, presentUser, splitUserId, UserFields, userId, UserOut } from './user-fields.js';
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
    'Change some fields of a Casdoor user. Give the id ("<organization>/<name>") and, in user, ONLY the fields to change: the server reads ' +
    'the user, applies them and has Casdoor write just those columns, so every other field stays as it is. Renaming works (give a new ' +
    'name), except for built-in/admin. The organization cannot change, and passwords are not changed here. Returns each changed field ' +
    'with its old and new value. dry_run: true returns the same without writing.',
  input: z
    .object({
      id: userId,
      user: undescribed(UserFields).partial().describe('Only the fields to change, e.g. {"displayName":"Alice A.","isForbidden":false}'),
      dry_run: dryRun,
    })
    .strict(),
  output: z.object({ id: z.string(), changes: z.array(Change), user: UserOut, dryRun: z.boolean().optional() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  access: { action: 'write' },
  targetOrganization: (args) => splitUserId(args.id).owner,
  async run({ id, user: patch, dry_run }, ctx) {
    if (containsMask(patch)) throw new ToolError('"***" is Casdoor\'s mask, not a value; leave out the fields you do not want to change');
    const { owner, name } = splitUserId(id);
    if (isBuiltInAdmin(owner, name) && patch.name !== undefined && patch.name !== name) {
      throw new ToolError('built-in/admin is Casdoor\'s first administrator and cannot be renamed');
    }
    const current = await loadUser(ctx, id);
    ctx.checkOrganization(current.owner);
    const changes = changesOf(current, patch, NO_SECRETS, presentUser(current));
    const newName = patch.name ?? current.name;
    if (newName !== current.name && (await ctx.casdoor.getUser(owner, newName))) {
      throw new ToolError(`user ${id} was not renamed: ${owner}/${newName} already exists; pick another name`);
    }
    const merged = { ...current, ...patch };
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
    'Delete a Casdoor user by id ("<organization>/<name>"); built-in/admin and your own user cannot be deleted. Needs confirmation: the ' +
    'server asks the user when the client supports it; otherwise call with confirm: true and name (the part after the "/"). Without ' +
    'confirmation nothing is deleted and you get what would be deleted. dry_run: true only previews. Their sessions and tokens end.',
  input: z.object({ id: userId, ...confirmFields }).strict(),
  output: DeleteOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  access: { action: 'write' },
  targetOrganization: (args) => splitUserId(args.id).owner,
  async run(args, ctx) {
    const { id } = args;
    const { owner, name } = splitUserId(id);
    if (isBuiltInAdmin(owner, name)) throw new ToolError('built-in/admin is Casdoor\'s first administrator and cannot be deleted');
    if (isSelf(ctx, owner, name)) throw new ToolError('you cannot delete your own user; ask another administrator');
    const user = await loadUser(ctx, id);
    ctx.checkOrganization(user.owner);
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
      question: `Delete user ${id} (${String(user.displayName ?? '') || name}${user.isAdmin ? ', an administrator' : ''})? This cannot be undone.`,
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
