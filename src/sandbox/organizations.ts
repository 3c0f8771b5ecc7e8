// Organization reads: controllers/organization.go GetOrganizations / GetOrganization.
import type { Hono } from 'hono';
import { currentUser, isGlobalAdmin } from './auth.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { fail, ok } from './envelope.js';
import { listParams } from './applications.js';
import { maskOrganization } from './masking.js';
import { isPaginated, newestFirst, paginate } from './query.js';
import { ORGANIZATION, present } from './schema.js';
import { splitId } from './util.js';

type Rec = Record<string, unknown>;

function shown(org: Rec, globalAdmin: boolean): Rec {
  return maskOrganization(present(ORGANIZATION, org), globalAdmin);
}

function getOrganizations(c: Ctx, ctx: SandboxContext): Response {
  const caller = c.get('caller');
  const globalAdmin = isGlobalAdmin(ctx, caller);
  const me = currentUser(ctx, caller);
  if (!globalAdmin && !me) return c.json(fail('Please sign in first'));
  const owner = c.req.query('owner') ?? '';
  const all = [...ctx.store.organizations.values()] as Rec[];
  // Non-global callers only ever see their own organization, whatever the parameters say.
  if (!globalAdmin) {
    const own = newestFirst(all.filter((o) => o.name === me?.owner));
    return c.json(ok(own.map((o) => shown(o, false))));
  }
  const params = listParams(c);
  const byOwner = all.filter((o) => owner === '' || o.owner === owner);
  if (!isPaginated(params)) return c.json(ok(newestFirst(byOwner).map((o) => shown(o, true))));
  const name = c.req.query('organizationName') ?? '';
  const page = paginate(ORGANIZATION, byOwner.filter((o) => name === '' || o.name === name), params);
  if (!page.ok) return c.json(fail(page.error));
  return c.json(ok(page.rows.map((o) => shown(o, true)), page.total));
}

function getOrganization(c: Ctx, ctx: SandboxContext): Response {
  const id = c.req.query('id') ?? '';
  const parts = splitId(id);
  if ('error' in parts) return c.json(fail(parts.error));
  const org = ctx.store.organizations.get(id);
  if (!org) return c.json(ok(null));
  const out = shown(org, isGlobalAdmin(ctx, c.get('caller')));
  if (out.mfaRememberInHours === 0) out.mfaRememberInHours = 12;
  return c.json(ok(out));
}

export function registerOrganizations(app: Hono<AppEnv>, ctx: SandboxContext): void {
  app.get('/api/get-organizations', (c) => getOrganizations(c, ctx));
  app.get('/api/get-organization', (c) => getOrganization(c, ctx));
}
