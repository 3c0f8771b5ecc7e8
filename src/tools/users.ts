import { z } from 'zod';
import { administeredOrganizations, describePrincipal } from '../auth/caller.js';
import { ForbiddenError } from '../auth/errors.js';
import { CasdoorError } from '../casdoor/errors.js';
import type { CasdoorUser } from '../casdoor/types.js';
import { defineTool, ToolError, type ToolContext } from '../mcp/tool.js';
import { pageArgs, pageFields, pageInfo } from './paging.js';
import { applicationName, containsMask } from './application-fields.js';
import { dryRun } from './safety.js';
import { presentUser, splitUserId, UserFields, userId, UserOut } from './user-fields.js';
import { USER_SUMMARY, viewArgs, viewOf } from './views.js';

/** Casdoor's own user tools (casdoor.md §1.4), on its user API: ids are "<organization>/<name>". */

export async function loadUser(ctx: ToolContext, id: string): Promise<CasdoorUser> {
  const { owner, name } = splitUserId(id);
  const user = await ctx.casdoor.getUser(owner, name);
  if (!user) throw new ToolError(`user ${id} not found; call get_users with owner "${owner}" to see its users`);
  return user;
}

/** Someone who administers no organization may read only their own user (Casdoor's CheckUserPermission). */
function selfOnly(ctx: ToolContext, tool: string, id: string | undefined): void {
  if (administeredOrganizations(ctx.caller.principal) !== 'none') return;
  const p = ctx.caller.principal;
  const self = p.type === 'user' ? `${p.owner}/${p.name}` : undefined;
  if (id === undefined || id !== self) {
    throw new ForbiddenError('self_only', `${describePrincipal(p)} is not an administrator and may read only their own user (id "${self ?? ''}")`, tool);
  }
}

const getUsers = defineTool({
  name: 'get_users',
  title: 'List users',
  description:
    'List the users of one organization (owner), newest first, paged, with the total. Summaries (owner, name, ' + USER_SUMMARY.join(', ') +
    '); fields or full: true for more. Global admins may leave owner out to list all; an organization admin gets only hers.',
  input: z
    .object({
      owner: applicationName.optional().describe('Organization, e.g. "acme"'),
      ...pageArgs(),
      ...viewArgs,
    })
    .strict(),
  output: z.object({
    users: z.array(UserOut),
    ...pageFields,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: { action: 'read' },
  targetOrganization: (args) => args.owner,
  async run(args, ctx) {
    const owner = args.owner ?? ctx.ownOrganization;
    const { items, total } = await ctx.casdoor.listUsers({ owner, page: args.page, pageSize: args.pageSize });
    // Belt and braces: a user of an organization the caller may not act on never leaves, whatever Casdoor sent.
    const mayAct = (org: string): boolean => {
      try {
        ctx.checkOrganization(org);
        return true;
      } catch {
        return false;
      }
    };
    return {
      users: viewOf(items.filter((u) => mayAct(u.owner)).map((u) => presentUser(u)), USER_SUMMARY, args) as UserOut[],
      ...pageInfo(args, total),
    };
  },
});

const getUser = defineTool({
  name: 'get_user',
  title: 'Get a user',
  description:
    'Get one Casdoor user: by id, or by owner with email or phone. Credentials (passwords, salts, access keys, TOTP secrets, recovery ' +
    'codes, ...) are never returned. A user who administers nothing may read only themselves.',
  input: z
    .object({
      id: userId.optional(),
      owner: applicationName.optional().describe('The organization, with email or phone'),
      email: z.string().min(3).max(100).optional().describe('Look up by email (with owner)'),
      phone: z.string().min(1).max(100).optional().describe('Look up by phone (with owner)'),
    })
    .strict()
    .refine((a) => (a.id !== undefined) !== (a.owner !== undefined), { message: 'give either id, or owner with email or phone' })
    .refine((a) => a.owner === undefined || (a.email !== undefined) !== (a.phone !== undefined), {
      message: 'with owner, give exactly one of email or phone',
    })
    .refine((a) => a.id === undefined || (a.email === undefined && a.phone === undefined), { message: 'email and phone go with owner, not id' }),
  output: z.object({ user: UserOut }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: { action: 'read', publicRead: true },
  targetOrganization: (args) => args.owner ?? (args.id ? splitUserId(args.id).owner : undefined),
  async run(args, ctx) {
    selfOnly(ctx, 'get_user', args.id);
    let user: CasdoorUser | null;
    if (args.id) {
      user = await loadUser(ctx, args.id);
    } else {
      const by = args.email !== undefined ? { email: args.email } : { phone: args.phone ?? '' };
      user = await ctx.casdoor.findUser(args.owner!, by);
      if (!user) throw new ToolError(`no user of ${args.owner} has that ${args.email !== undefined ? 'email' : 'phone'}; call get_users to browse`);
    }
    ctx.checkOrganization(user.owner);
    return { user: presentUser(user) as UserOut };
  },
});

const addUser = defineTool({
  name: 'add_user',
  title: 'Create a user',
  description:
    'Create a Casdoor user: owner (an existing organization) and name plus any fields; displayName defaults to the name. Casdoor ' +
    'refuses users in "built-in" (all global admins) unless it allows them. Returns the user (id "<owner>/<name>") without credentials. ' +
    'dry_run previews.',
  input: z
    .object({
      user: UserFields.partial()
        .extend({
          owner: applicationName.describe('Its organization, e.g. "acme"'),
          name: UserFields.shape.name,
          password: z.string().min(1).max(100).optional().describe('Initial password, hashed as the organization does; never shown'),
        })
        .strict(),
      dry_run: dryRun,
    })
    .strict(),
  output: z.object({ user: UserOut, dryRun: z.boolean().optional() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: { action: 'write' },
  targetOrganization: (args) => args.user.owner,
  async run({ user, dry_run }, ctx) {
    if (containsMask(user)) throw new ToolError('"***" is Casdoor\'s mask, not a value; leave the field out');
    ctx.checkOrganization(user.owner);
    if (!(await ctx.casdoor.getOrganization(user.owner))) {
      throw new ToolError(`organization '${user.owner}' does not exist; pick an existing one`);
    }
    const id = `${user.owner}/${user.name}`;
    if (await ctx.casdoor.getUser(user.owner, user.name)) throw new ToolError(`user ${id} already exists; pick another name`);
    const draft: CasdoorUser = { displayName: user.name, type: 'normal-user', ...user };
    if (dry_run) return { user: presentUser(draft) as UserOut, dryRun: true };
    try {
      await ctx.casdoor.addUser(draft);
    } catch (err) {
      if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') {
        throw new ToolError(`user ${id} was not created: the name, email or phone may be taken, or the organization has no application`);
      }
      throw err;
    }
    return { user: presentUser(await loadUser(ctx, id)) as UserOut };
  },
});

/** Listing, reading and creating; changing and deleting are in user-writes.ts. */
export const userTools = [getUsers, getUser, addUser];
