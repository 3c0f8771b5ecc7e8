import { z } from 'zod';
import { CasdoorError } from '../casdoor/errors.js';
import type { CasdoorApplication } from '../casdoor/types.js';
import { defineTool, ToolError, type ToolContext } from '../mcp/tool.js';
import { ApplicationFields, applicationName, containsMask, presentApplication, SECRET_FIELDS } from './application-fields.js';

/** Every Casdoor application's owner is "admin"; the organization is a field (casdoor.md §2.2). */
const applicationId = z
  .string()
  .regex(/^admin\/[^/]+$/, 'application ids look like "admin/<name>" (the owner of every application is admin)')
  .refine((v) => applicationName.safeParse(v.slice('admin/'.length)).success, 'the name part has characters Casdoor forbids')
  .describe('The application id, "admin/<name>", e.g. "admin/app-built-in". Use get_applications to find names.');

const AppOut = z.object({ owner: z.string(), name: z.string(), organization: z.string() }).passthrough();

const nameOf = (id: string): string => id.slice('admin/'.length);

async function loadApplication(ctx: ToolContext, id: string): Promise<CasdoorApplication> {
  const app = await ctx.casdoor.getApplication(nameOf(id));
  if (!app) throw new ToolError(`application ${id} not found; call get_applications to see existing applications`);
  return app;
}

const getApplications = defineTool({
  name: 'get_applications',
  title: 'List applications',
  description:
    'List Casdoor applications, newest first, one page at a time, with the total count. Filter by organization (e.g. "built-in"). ' +
    'Secrets are masked unless you are a global administrator.',
  input: z
    .object({
      owner: z.literal('admin').optional().describe('Always "admin" in Casdoor; accepted for compatibility with Casdoor\'s own MCP server'),
      organization: applicationName.optional().describe('Only applications of this organization'),
      page: z.number().int().min(1).max(100_000).default(1).describe('Page number, from 1'),
      pageSize: z.number().int().min(1).max(100).default(20).describe('Applications per page (at most 100)'),
    })
    .strict(),
  output: z.object({
    applications: z.array(AppOut),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    hasMore: z.boolean(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: { action: 'read' },
  targetOrganization: (args) => args.organization,
  async run(args, ctx) {
    // An organization admin sees only their own organization, asked or not.
    const organization = args.organization ?? ctx.ownOrganization;
    const { items, total } = await ctx.casdoor.listApplications({ organization, page: args.page, pageSize: args.pageSize });
    return {
      applications: items.map((a) => presentApplication(a, ctx.canSeeSecrets) as z.infer<typeof AppOut>),
      total,
      page: args.page,
      pageSize: args.pageSize,
      hasMore: args.page * args.pageSize < total,
    };
  },
});

const getApplication = defineTool({
  name: 'get_application',
  title: 'Get an application',
  description: 'Get the full configuration of one Casdoor application by id ("admin/<name>"). Secrets are masked unless you are a global administrator.',
  input: z.object({ id: applicationId }).strict(),
  output: z.object({ application: AppOut }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: { action: 'read', publicRead: true },
  async run({ id }, ctx) {
    const app = await loadApplication(ctx, id);
    ctx.checkOrganization(app.organization);
    return { application: presentApplication(app, ctx.canSeeSecrets) as z.infer<typeof AppOut> };
  },
});

const addApplication = defineTool({
  name: 'add_application',
  title: 'Create an application',
  description:
    'Create a Casdoor application. Give at least name and organization; unset fields get the defaults of Casdoor\'s UI ' +
    '(expireInHours 168, refreshExpireInHours 168, grantTypes ["authorization_code"], cert "cert-built-in", tokenFormat "JWT"). ' +
    'Returns the created application with its clientId.',
  input: z
    .object({
      application: ApplicationFields.partial()
        .required({ name: true, organization: true })
        .describe('The application to create: name and organization, plus any fields to set'),
    })
    .strict(),
  output: z.object({ application: AppOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: { action: 'write' },
  targetOrganization: (args) => args.application.organization,
  async run({ application }, ctx) {
    if (containsMask(application)) throw new ToolError('"***" is Casdoor\'s mask, not a value; leave the field out to get its default');
    const org = await ctx.casdoor.getOrganization(application.organization);
    if (!org) {
      throw new ToolError(`organization '${application.organization}' does not exist; create it in Casdoor first or pick an existing one`);
    }
    const draft: CasdoorApplication = {
      owner: 'admin',
      displayName: application.name,
      expireInHours: 168,
      refreshExpireInHours: 168,
      cookieExpireInHours: 720,
      grantTypes: ['authorization_code'],
      cert: 'cert-built-in',
      tokenFormat: 'JWT',
      redirectUris: [],
      tags: [],
      scopes: [],
      customScopes: [],
      providers: [],
      enablePassword: true,
      ...application,
    };
    try {
      await ctx.casdoor.addApplication(draft);
    } catch (err) {
      if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') {
        throw new ToolError(`application admin/${application.name} was not created: the name or clientId is already taken; pick another name`);
      }
      throw err;
    }
    const created = await loadApplication(ctx, `admin/${application.name}`);
    return { application: presentApplication(created, ctx.canSeeSecrets) as z.infer<typeof AppOut> };
  },
});

const Change = z.object({ field: z.string(), old: z.unknown(), new: z.unknown() });

const updateApplication = defineTool({
  name: 'update_application',
  title: 'Change an application',
  description:
    'Change some fields of a Casdoor application. Give the id and, in application, only the fields to change; every other field ' +
    'is left exactly as it is. Renaming works (give a new name). Returns each changed field with its old and new value.',
  input: z
    .object({
      id: applicationId,
      application: ApplicationFields.partial().describe('Only the fields to change'),
    })
    .strict(),
  output: z.object({ id: z.string(), changes: z.array(Change), application: AppOut }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  access: { action: 'write' },
  async run({ id, application: patch }, ctx) {
    if (containsMask(patch)) {
      throw new ToolError('"***" is Casdoor\'s mask, not a value; leave out the fields you do not want to change');
    }
    const current = await loadApplication(ctx, id);
    ctx.checkOrganization(current.organization);
    if (patch.organization !== undefined && patch.organization !== current.organization) {
      ctx.checkOrganization(patch.organization);
      if (!(await ctx.casdoor.getOrganization(patch.organization))) {
        throw new ToolError(`organization '${patch.organization}' does not exist`);
      }
    }
    const changes: z.infer<typeof Change>[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined || JSON.stringify(value) === JSON.stringify(current[field])) continue;
      const secret = SECRET_FIELDS.has(field);
      changes.push({ field, old: secret ? '(secret)' : (current[field] ?? null), new: secret ? '(changed)' : value });
    }
    const newName = patch.name ?? current.name;
    if (changes.length > 0) {
      // Only the changed columns are written, so concurrent changes to other fields survive.
      try {
        await ctx.casdoor.updateApplication(current.name, { ...current, ...patch }, changes.map((c) => c.field));
      } catch (err) {
        if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') {
          throw new ToolError(`application ${id} was not changed: it may have been deleted, or the new name is taken`);
        }
        throw err;
      }
    }
    const updated = await loadApplication(ctx, `admin/${newName}`);
    return { id: `admin/${newName}`, changes, application: presentApplication(updated, ctx.canSeeSecrets) as z.infer<typeof AppOut> };
  },
});

const deleteApplication = defineTool({
  name: 'delete_application',
  title: 'Delete an application',
  description: 'Delete a Casdoor application by id ("admin/<name>"). app-built-in cannot be deleted.',
  input: z.object({ id: applicationId }).strict(),
  output: z.object({ deleted: z.string(), organization: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  access: { action: 'write' },
  async run({ id }, ctx) {
    if (id === 'admin/app-built-in') throw new ToolError('app-built-in is Casdoor\'s own application and cannot be deleted');
    const app = await loadApplication(ctx, id);
    ctx.checkOrganization(app.organization);
    try {
      await ctx.casdoor.deleteApplication({ owner: 'admin', name: app.name, organization: app.organization });
    } catch (err) {
      if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') {
        throw new ToolError(`application ${id} was not deleted: it no longer exists or its organization changed; call get_application to check`);
      }
      throw err;
    }
    return { deleted: id, organization: app.organization };
  },
});

export const applicationTools = [getApplications, getApplication, addApplication, updateApplication, deleteApplication];
