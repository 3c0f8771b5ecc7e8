// Application REST API: controllers/application.go + object/application.go.
import type { Hono } from 'hono';
import { isGlobalAdmin } from './auth.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { action, fail, ok, UNAUTHORIZED } from './envelope.js';
import { defaultSigninItems, defaultSigninMethods, defaultSignupItems } from './defaults.js';
import { isGlobalAdminId, maskApplication } from './masking.js';
import { isPaginated, newestFirst, paginate } from './query.js';
import type { ListParams } from './query.js';
import { APPLICATION, isNonZero, ORGANIZATION, present } from './schema.js';
import { getApplicationByClientId, getOrganization } from './store.js';
import type { Application } from './types.js';
import { columnKey, getId, randomHex, splitId } from './util.js';
import { checkIpWhitelist, decodeBody } from './validate.js';

type Rec = Record<string, unknown>;

export function listParams(c: Ctx): ListParams {
  const q = (name: string): string => c.req.query(name) ?? '';
  return { p: q('p'), pageSize: q('pageSize'), field: q('field'), value: q('value'), sortField: q('sortField'), sortOrder: q('sortOrder') };
}

// What getApplication returns: the row plus organizationObj and the signin defaults.
function loadFull(ctx: SandboxContext, app: Application, certPublicKey = ''): Rec {
  const org = getOrganization(ctx.store, app.organization);
  const out = present(APPLICATION, app, {
    organizationObj: org ? present(ORGANIZATION, org) : null, certPublicKey,
  });
  if (!Array.isArray(out.signinMethods) || out.signinMethods.length === 0) out.signinMethods = defaultSigninMethods(out);
  if (!Array.isArray(out.signinItems) || out.signinItems.length === 0) out.signinItems = defaultSigninItems();
  return out;
}

// GetMaskedApplications: global admins get rows untouched, everyone else row by row.
function maskList(ctx: SandboxContext, rows: Rec[], caller: string): Rec[] {
  const out = rows.map((row) => present(APPLICATION, row));
  if (isGlobalAdminId(caller)) return out;
  return out.map((row) => maskApplication(ctx.store, row, caller));
}

function orgApps(ctx: SandboxContext, organization: string): Rec[] {
  return [...ctx.store.applications.values()].filter((a) => a.organization === organization || a.isShared);
}

function validateCustomScopes(app: Rec): string | null {
  for (const s of (app.customScopes as Rec[] | null) ?? []) {
    if (!s || typeof s.scope !== 'string' || s.scope.trim() === '') return 'Missing parameter: custom scope name';
  }
  return null;
}

// A ScopeItem is a Go struct: every field is present, and tools Casdoor was not given read null.
function normalizeScopes(app: Rec): void {
  if (!Array.isArray(app.scopes)) return;
  app.scopes = app.scopes.map((s: unknown) => {
    const item = (s && typeof s === 'object' ? s : {}) as Rec;
    return { name: item.name ?? '', displayName: item.displayName ?? '', description: item.description ?? '', tools: item.tools ?? null };
  });
}

function clearProviderObjects(app: Rec): void {
  for (const item of (app.providers as Rec[] | null) ?? []) if (item) item.provider = null;
}

function getApplications(c: Ctx, ctx: SandboxContext): Response {
  const owner = c.req.query('owner') ?? '';
  const organization = c.req.query('organization') ?? '';
  const params = listParams(c);
  const all = [...ctx.store.applications.values()] as Rec[];
  const byOwner = all.filter((a) => owner === '' || a.owner === owner);
  if (!isPaginated(params)) {
    const rows = organization === '' ? byOwner : orgApps(ctx, organization);
    return c.json(ok(maskList(ctx, newestFirst(rows), c.get('caller'))));
  }
  // The organization parameter is ignored here, exactly as in Casdoor.
  const page = paginate(APPLICATION, byOwner, params);
  if (!page.ok) return c.json(fail(page.error));
  const rows = page.rows.length === 0 ? null : maskList(ctx, page.rows, c.get('caller'));
  return c.json(ok(rows, page.total));
}

function getOrganizationApplications(c: Ctx, ctx: SandboxContext): Response {
  const organization = c.req.query('organization') ?? '';
  if (organization === '') return c.json(fail('Missing parameter: organization'));
  const caller = c.get('caller');
  const params = listParams(c);
  let rows: Rec[];
  let total: number | null = null;
  if (isPaginated(params)) {
    const page = paginate(APPLICATION, orgApps(ctx, organization), params);
    if (!page.ok) return c.json(fail(page.error));
    rows = page.rows;
    total = page.total;
  } else {
    rows = newestFirst(orgApps(ctx, organization));
  }
  // GetAllowedApplications: a signed-in caller is required; without permissions every app is allowed.
  if (caller === '') return c.json(fail(UNAUTHORIZED));
  if (!isGlobalAdminId(caller) && !ctx.store.users.get(caller)) return c.json(fail(UNAUTHORIZED));
  return c.json(ok(maskList(ctx, rows, caller), total));
}

function getApplication(c: Ctx, ctx: SandboxContext): Response {
  const parts = splitId(c.req.query('id') ?? '');
  if ('error' in parts) return c.json(fail(parts.error));
  const app = ctx.store.applications.get(getId(parts.owner, parts.name));
  if (!app) return c.json(ok(null));
  let certPublicKey = '';
  if (c.req.query('withKey') && app.cert !== '') {
    const cert = ctx.store.certs.get(getId(app.owner, app.cert)) ?? ctx.store.certs.get(getId(app.organization, app.cert));
    if (cert) certPublicKey = cert.certificate;
  }
  return c.json(ok(maskApplication(ctx.store, loadFull(ctx, app, certPublicKey), c.get('caller'))));
}

function addApplication(c: Ctx, ctx: SandboxContext): Response {
  const decoded = decodeBody(c, APPLICATION);
  if (!decoded.ok) return c.json(fail(decoded.error));
  const app = decoded.value;
  const ipError = checkIpWhitelist(app.ipWhitelist);
  if (ipError) return c.json(fail(ipError));
  if (!Array.isArray(app.grantTypes) || app.grantTypes.length === 0) app.grantTypes = ['authorization_code'];
  for (const key of ['tags', 'redirectUris', 'providers', 'scopes']) app[key] ??= [];
  if (app.owner === '') app.owner = 'admin';
  if (app.organization === '') app.organization = 'built-in';
  if (app.clientId === '') app.clientId = randomHex(10);
  if (app.clientSecret === '') app.clientSecret = randomHex(20);
  if (app.tokenFormat === '') {
    app.tokenFormat = getOrganization(ctx.store, String(app.organization))?.defaultTokenFormat || 'JWT';
  }
  if (getApplicationByClientId(ctx.store, String(app.clientId))) return c.json(action(false));
  if (app.isShared === true && app.organization !== 'built-in') {
    return c.json(action(false, 'only applications belonging to built-in organization can be shared'));
  }
  if (!Array.isArray(app.signupItems) || app.signupItems.length === 0) app.signupItems = defaultSignupItems();
  if (!Array.isArray(app.signinItems) || app.signinItems.length === 0) app.signinItems = defaultSigninItems();
  if (!Array.isArray(app.signinMethods) || app.signinMethods.length === 0) app.signinMethods = defaultSigninMethods(app);
  const scopeError = validateCustomScopes(app);
  if (scopeError) return c.json(action(false, scopeError));
  clearProviderObjects(app);
  normalizeScopes(app);
  const key = getId(String(app.owner), String(app.name));
  if (ctx.store.applications.has(key)) return c.json(action(false)); // insert error is swallowed
  ctx.store.applications.set(key, app as Application);
  return c.json(action(true));
}

function updateApplication(c: Ctx, ctx: SandboxContext): Response {
  const decoded = decodeBody(c, APPLICATION);
  if (!decoded.ok) return c.json(fail(decoded.error));
  const body = decoded.value;
  // Measured: a body without name fails before anything is written, with or without columns.
  if (body.name === '') return c.json(fail('no columns found to be updated'));
  const ipError = checkIpWhitelist(body.ipWhitelist);
  if (ipError) return c.json(fail(ipError));
  const columnsParam = c.req.query('columns') ?? '';
  const columns = columnsParam === '' ? [] : columnsParam.split(',').map(columnKey);
  const parts = splitId(c.req.query('id') ?? '');
  if ('error' in parts) return c.json(fail(parts.error));
  const oldKey = getId(parts.owner, parts.name);
  const old = ctx.store.applications.get(oldKey);
  if (!old) return c.json(action(false));
  const caller = c.get('caller');
  if (!isGlobalAdmin(ctx, caller) && old.organization !== body.organization) return c.json(action(false, UNAUTHORIZED));
  if (parts.name === 'app-built-in') body.name = parts.name;
  // The clientId uniqueness check also matches "": while any app has an empty clientId, a body
  // without clientId is a "duplicate" and nothing is written (measured).
  const clientIdTaken = [...ctx.store.applications.values()].some((a) => a !== old && a.clientId === body.clientId);
  if (old.clientId !== body.clientId && clientIdTaken) return c.json(action(false));
  if (body.isShared === true && body.organization !== 'built-in') {
    return c.json(action(false, 'only applications belonging to built-in organization can be shared'));
  }
  const scopeError = validateCustomScopes(body);
  if (scopeError) return c.json(action(false, scopeError));
  clearProviderObjects(body);
  normalizeScopes(body);

  // AllCols() overwrites every column; MustCols(columns) writes the listed ones plus any non-zero field.
  const next: Rec = {};
  for (const f of APPLICATION.fields) {
    if (f.kind === 'r') continue;
    const write = columns.length === 0 || columns.includes(columnKey(f.name)) || isNonZero(f.kind, body[f.name]);
    next[f.name] = write ? body[f.name] : old[f.name];
  }
  if (body.clientSecret === '***') next.clientSecret = old.clientSecret;
  const newKey = getId(String(next.owner), String(next.name));
  if (newKey !== oldKey && ctx.store.applications.has(newKey)) {
    return c.json(fail('UNIQUE constraint failed: application.owner, application.name'));
  }
  if (next.name !== parts.name) renameTrigger(ctx, parts.name, String(next.name));
  ctx.store.applications.delete(oldKey);
  ctx.store.applications.set(newKey, next as Application);
  return c.json(action(true));
}

// applicationChangeTrigger: references by name follow a rename.
function renameTrigger(ctx: SandboxContext, oldName: string, newName: string): void {
  for (const org of ctx.store.organizations.values()) if (org.defaultApplication === oldName) org.defaultApplication = newName;
  for (const user of ctx.store.users.values()) if (user.signupApplication === oldName) user.signupApplication = newName;
}

function deleteApplication(c: Ctx, ctx: SandboxContext): Response {
  const decoded = decodeBody(c, APPLICATION);
  if (!decoded.ok) return c.json(fail(decoded.error));
  const body = decoded.value;
  if (body.name === 'app-built-in') return c.json(action(false));
  const key = getId(String(body.owner), String(body.name));
  const app = ctx.store.applications.get(key);
  if (!app || app.organization !== body.organization) return c.json(action(false));
  ctx.store.applications.delete(key);
  return c.json(action(true));
}

export function registerApplications(app: Hono<AppEnv>, ctx: SandboxContext): void {
  app.get('/api/get-applications', (c) => getApplications(c, ctx));
  app.get('/api/get-organization-applications', (c) => getOrganizationApplications(c, ctx));
  app.get('/api/get-application', (c) => getApplication(c, ctx));
  app.post('/api/add-application', (c) => addApplication(c, ctx));
  app.post('/api/update-application', (c) => updateApplication(c, ctx));
  app.post('/api/delete-application', (c) => deleteApplication(c, ctx));
}
