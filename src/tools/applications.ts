import { z } from 'zod';
import { CasdoorError } from '../casdoor/errors.js';
import type { CasdoorApplication } from '../casdoor/types.js';
import { defineTool, ToolError, type ToolContext } from '../mcp/tool.js';
import { pageArgs, pageFields, pageInfo } from './paging.js';
import {
  ApplicationFields,
  applicationName,
  applicationProblem,
  containsMask,
  organizationCert,
  presentApplication,
  SECRET_FIELDS,
} from './application-fields.js';
import { dryRun } from './safety.js';
import { APPLICATION_IDENTITY, APPLICATION_SUMMARY, viewArgs, viewOf } from './views.js';

/** Every Casdoor application's owner is "admin"; the organization is a field (casdoor.md §2.2). */
export const applicationId = z
  .string()
  .regex(/^admin\/[^/]+$/, 'application ids look like "admin/<name>" (the owner of every application is admin)')
  .refine((v) => applicationName.safeParse(v.slice('admin/'.length)).success, 'the name part has characters Casdoor forbids')
  .describe('e.g. "admin/app-built-in": always "admin/<name>", whatever the organization');

/** Casdoor's own MCP server sends owner; every application's is "admin". */
const adminOwner = z.literal('admin').optional().describe('Always "admin" (as Casdoor\'s own MCP server sends it)');

export const AppOut = z.object({ owner: z.string(), name: z.string(), organization: z.string() }).passthrough();
export type AppOut = z.infer<typeof AppOut>;

export const nameOf = (id: string): string => id.slice('admin/'.length);

export async function loadApplication(ctx: ToolContext, id: string): Promise<CasdoorApplication> {
  const app = await ctx.casdoor.getApplication(nameOf(id));
  if (!app) throw new ToolError(`application ${id} not found; call get_applications to see existing applications`);
  return app;
}

export const shown = (app: Record<string, unknown>, ctx: ToolContext): AppOut => presentApplication(app, ctx.canSeeSecrets) as AppOut;

/** Write results never carry a secret value, whoever the caller: a change list says a secret changed, get_application shows it. */
export function shownWithoutSecrets(app: Record<string, unknown>, ctx: ToolContext): AppOut {
  const out = shown(app, ctx);
  for (const key of SECRET_FIELDS) if (typeof out[key] === 'string' && out[key] !== '') out[key] = '***';
  return out;
}

const getApplications = defineTool({
  name: 'get_applications',
  title: 'List applications',
  description:
    'List Casdoor applications, newest first, paged, with the total. Summaries (' +
    [...APPLICATION_IDENTITY, ...APPLICATION_SUMMARY].join(', ') + '); fields or full: true for more. Secrets masked unless you are a global admin.',
  input: z
    .object({
      owner: adminOwner,
      organization: applicationName.optional().describe('Only this organization\'s, e.g. "built-in" (an organization admin gets only hers)'),
      ...pageArgs(),
      ...viewArgs,
    })
    .strict(),
  output: z.object({
    applications: z.array(AppOut),
    ...pageFields,
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  access: { action: 'read' },
  targetOrganization: (args) => args.organization,
  async run(args, ctx) {
    // An organization admin sees only their own organization, asked or not.
    const organization = args.organization ?? ctx.ownOrganization;
    const { items, total } = await ctx.casdoor.listApplications({ organization, page: args.page, pageSize: args.pageSize });
    return {
      applications: viewOf(items.map((a) => shown(a, ctx)), APPLICATION_SUMMARY, args, APPLICATION_IDENTITY) as AppOut[],
      ...pageInfo(args, total),
    };
  },
});

const getApplication = defineTool({
  name: 'get_application',
  title: 'Get an application',
  description: 'Get one Casdoor application by id, every field. Secrets masked unless you are a global admin.',
  input: z.object({ id: applicationId }).strict(),
  output: z.object({ application: AppOut }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  // Masked for anyone who may not see secrets; any signed-in user may read it, as in Casdoor.
  access: { action: 'read', publicRead: true, anyOrganizationRead: true },
  async run({ id }, ctx) {
    const app = await loadApplication(ctx, id);
    ctx.checkOrganization(app.organization);
    return { application: shown(app, ctx) };
  },
});

const addApplication = defineTool({
  name: 'add_application',
  title: 'Create an application',
  description:
    'Create a Casdoor application: name and organization (an existing one) plus any fields. Unset fields get Casdoor UI\'s defaults ' +
    '(given with the fields; no redirectUris). Set grantTypes and redirectUris for your OAuth flow. Returns it with its clientId ' +
    '(id "admin/<name>"; secrets masked). dry_run previews.',
  input: z
    .object({
      application: ApplicationFields.partial()
        .required({ name: true, organization: true })
        .extend({ owner: adminOwner })
        .strict(),
      dry_run: dryRun,
    })
    .strict(),
  output: z.object({ application: AppOut, dryRun: z.boolean().optional() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: { action: 'write' },
  targetOrganization: (args) => args.application.organization,
  async run({ application: { owner: _owner, ...application }, dry_run }, ctx) {
    if (containsMask(application)) throw new ToolError('"***" is Casdoor\'s mask, not a value; leave the field out to get its default');
    for (const field of ['expireInHours', 'refreshExpireInHours'] as const) {
      const v = application[field];
      if (v !== undefined && !(v > 0)) throw new ToolError(`application admin/${application.name} was not created: ${field} must be > 0 (0 makes tokens expire at once)`);
    }
    ctx.checkOrganization(application.organization);
    if (application.clientId !== undefined) ctx.checkClientId(application.clientId);
    const org = await ctx.casdoor.getOrganization(application.organization);
    if (!org) {
      throw new ToolError(`organization '${application.organization}' does not exist; create it in Casdoor first or pick an existing one`);
    }
    const draft: CasdoorApplication = {
      owner: 'admin',
      // Casdoor's REST leaves createdTime "" (measured), which sorts a new app last in "newest first" lists.
      createdTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      displayName: application.name,
      expireInHours: 168,
      refreshExpireInHours: 168,
      cookieExpireInHours: 720,
      grantTypes: ['authorization_code'],
      cert: organizationCert(org),
      tokenFormat: 'JWT',
      redirectUris: [],
      tags: [],
      scopes: [],
      customScopes: [],
      providers: [],
      enablePassword: true,
      ...application,
    };
    const problem = applicationProblem(draft, application);
    if (problem) throw new ToolError(`application admin/${application.name} was not created: ${problem}`);
    const taken = `application admin/${application.name} was not created: the name or clientId is already taken; pick another name`;
    if (await ctx.casdoor.getApplication(application.name)) throw new ToolError(taken);
    if (dry_run) return { application: shownWithoutSecrets(draft, ctx), dryRun: true };
    try {
      await ctx.casdoor.addApplication(draft);
    } catch (err) {
      if (err instanceof CasdoorError && err.code === 'casdoor_unaffected') throw new ToolError(taken);
      throw err;
    }
    const created = await loadApplication(ctx, `admin/${application.name}`);
    return { application: shownWithoutSecrets(created, ctx) };
  },
});

/** Listing, reading and creating; changing and deleting are in application-writes.ts. */
export const applicationTools = [getApplications, getApplication, addApplication];
