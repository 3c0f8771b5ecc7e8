// Applications: controllers/application.go + object/application.go, on the family declaration.
// Owned through their organization column; get-application is public and masked per caller.
import type { Ctx, SandboxContext } from './context.js';
import { action, fail, ok, UNAUTHORIZED, type Envelope } from './envelope.js';
import { defaultSigninItems, defaultSigninMethods, defaultSignupItems } from './defaults.js';
import { isGlobalAdmin } from './auth.js';
import { shown, viewOf, type Family, type Row, type Table } from './family.js';
import { isGlobalAdminId, maskApplication } from './masking.js';
import { isPaginated, listParams, newestFirst, paginate } from './query.js';
import { APPLICATION, ORGANIZATION, present } from './schema.js';
import { getApplicationByClientId, getOrganization } from './store.js';
import { getId, randomHex } from './util.js';
import { checkIpWhitelist } from './validate.js';

const SHARE_ONLY_BUILT_IN = 'only applications belonging to built-in organization can be shared';

// What getApplication returns: the row plus organizationObj, the signin defaults and ?withKey's cert.
function expand(ctx: SandboxContext, app: Row, c: Ctx): Row {
  const org = getOrganization(ctx.store, String(app.organization));
  let certPublicKey = '';
  if (c.req.query('withKey') && app.cert !== '') {
    const cert = ctx.store.certs.get(getId(String(app.owner), String(app.cert))) ?? ctx.store.certs.get(getId(String(app.organization), String(app.cert)));
    if (cert) certPublicKey = cert.certificate;
  }
  const out = present(APPLICATION, app, { organizationObj: org ? present(ORGANIZATION, org) : null, certPublicKey });
  if (!Array.isArray(out.signinMethods) || out.signinMethods.length === 0) out.signinMethods = defaultSigninMethods(out);
  if (!Array.isArray(out.signinItems) || out.signinItems.length === 0) out.signinItems = defaultSigninItems();
  return out;
}

const inOrganization = (app: Row, organization: string): boolean => app.organization === organization || app.isShared === true;

function validateCustomScopes(app: Row): Envelope | undefined {
  for (const s of (app.customScopes as Row[] | null) ?? []) {
    if (!s || typeof s.scope !== 'string' || s.scope.trim() === '') return action(false, 'Missing parameter: custom scope name');
  }
  return undefined;
}

// A ScopeItem is a Go struct: every field is present, and tools Casdoor was not given read null.
function normalize(app: Row): void {
  for (const item of (app.providers as Row[] | null) ?? []) if (item) item.provider = null;
  if (!Array.isArray(app.scopes)) return;
  app.scopes = app.scopes.map((s: unknown) => {
    const item = (s && typeof s === 'object' ? s : {}) as Row;
    return { name: item.name ?? '', displayName: item.displayName ?? '', description: item.description ?? '', tools: item.tools ?? null };
  });
}

function prepareAdd(app: Row, ctx: SandboxContext): Envelope | undefined {
  const ipError = checkIpWhitelist(app.ipWhitelist);
  if (ipError) return fail(ipError);
  if (!Array.isArray(app.grantTypes) || app.grantTypes.length === 0) app.grantTypes = ['authorization_code'];
  for (const key of ['tags', 'redirectUris', 'providers', 'scopes']) app[key] ??= [];
  if (app.owner === '') app.owner = 'admin';
  if (app.organization === '') app.organization = 'built-in';
  if (app.clientId === '') app.clientId = randomHex(10);
  if (app.clientSecret === '') app.clientSecret = randomHex(20);
  if (app.tokenFormat === '') app.tokenFormat = getOrganization(ctx.store, String(app.organization))?.defaultTokenFormat || 'JWT';
  if (getApplicationByClientId(ctx.store, String(app.clientId))) return action(false);
  if (app.isShared === true && app.organization !== 'built-in') return action(false, SHARE_ONLY_BUILT_IN);
  if (!Array.isArray(app.signupItems) || app.signupItems.length === 0) app.signupItems = defaultSignupItems();
  if (!Array.isArray(app.signinItems) || app.signinItems.length === 0) app.signinItems = defaultSigninItems();
  if (!Array.isArray(app.signinMethods) || app.signinMethods.length === 0) app.signinMethods = defaultSigninMethods(app);
  const scopeError = validateCustomScopes(app);
  if (scopeError) return scopeError;
  normalize(app);
  return undefined;
}

// Measured: a body without name fails before anything is written, with or without columns.
function checkBody(body: Row): Envelope | undefined {
  if (body.name === '') return fail('no columns found to be updated');
  const ipError = checkIpWhitelist(body.ipWhitelist);
  return ipError ? fail(ipError) : undefined;
}

function prepareUpdate(body: Row, old: Row, ctx: SandboxContext, c: Ctx): Envelope | undefined {
  if (!isGlobalAdmin(ctx, c.get('caller')) && old.organization !== body.organization) return action(false, UNAUTHORIZED);
  // The clientId uniqueness check also matches "": while any app has an empty clientId, a body
  // without clientId is a "duplicate" and nothing is written (apps-update-application-empty-clientid.json).
  const clientIdTaken = [...ctx.store.applications.values()].some((a) => a !== old && a.clientId === body.clientId);
  if (old.clientId !== body.clientId && clientIdTaken) return action(false);
  if (body.isShared === true && body.organization !== 'built-in') return action(false, SHARE_ONLY_BUILT_IN);
  const scopeError = validateCustomScopes(body);
  if (scopeError) return scopeError;
  normalize(body);
  return undefined;
}

// GetAllowedApplications: a signed-in caller is required; without permissions every app is allowed.
function getOrganizationApplications(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const organization = c.req.query('organization') ?? '';
  if (organization === '') return c.json(fail('Missing parameter: organization'));
  const view = viewOf(c, ctx, 'list');
  const params = listParams(c);
  const all = [...ctx.store.applications.values()].filter((a) => inOrganization(a, organization));
  let rows: Row[];
  let total: number | null = null;
  if (isPaginated(params)) {
    const page = paginate(APPLICATION, all, params);
    if (!page.ok) return c.json(fail(page.error));
    rows = page.rows;
    total = page.total;
  } else {
    rows = newestFirst(all);
  }
  if (view.caller === '' || (!isGlobalAdminId(view.caller) && !ctx.store.users.get(view.caller))) return c.json(fail(UNAUTHORIZED));
  return c.json(ok(rows.map((r) => shown(family, r, view)), total));
}

export const applications: Family = {
  singular: 'application',
  plural: 'applications',
  table: 'application',
  schema: APPLICATION,
  rows: (store) => store.applications as unknown as Table,
  endpoints: ['list', 'get', 'add', 'update', 'delete'],
  ownerColumn: 'organization',
  access: { get: { anyone: true, dcr: true } },
  extraRoutes: [{ method: 'GET', path: '/api/get-organization-applications', access: { shape: 'list', anyone: true }, handler: getOrganizationApplications }],
  // ?organization= lists that organization's and the shared ones, and is ignored with p/pageSize, as in Casdoor.
  organizationFilter: { match: inOrganization, paged: false },
  emptyPageNull: true,
  expand,
  // GetMaskedApplications leaves a global admin's rows untouched; GetMaskedApplication always fills its defaults.
  mask: (row, view) => (view.endpoint === 'list' && isGlobalAdminId(view.caller) ? row : maskApplication(view.ctx.store, row, view.caller)),
  prepareAdd,
  duplicate: action(false), // the insert error is swallowed
  checkBody,
  prepareUpdate,
  write: 'must-columns',
  uniqueError: 'UNIQUE constraint failed: application.owner, application.name',
  keepMasked: ['clientSecret'],
  fixedName: (name) => name === 'app-built-in',
  deleteMatches: ['organization'],
  undeletable: (row) => (row.name === 'app-built-in' ? 'unaffected' : undefined),
  // applicationChangeTrigger: references by name follow a rename.
  renamed(ctx, from, to) {
    if (from.name === to.name) return;
    for (const org of ctx.store.organizations.values()) if (org.defaultApplication === from.name) org.defaultApplication = String(to.name);
    for (const user of ctx.store.users.values()) if (user.signupApplication === from.name) user.signupApplication = String(to.name);
  },
};
