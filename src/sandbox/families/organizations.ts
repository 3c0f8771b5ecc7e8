// Organizations: controllers/organization.go. Readable by every signed-in user (their own only,
// unless a global admin); built-in can be neither renamed nor deleted.
import { currentUser } from '../auth.js';
import type { Ctx, SandboxContext } from '../context.js';
import { fail, ok } from '../envelope.js';

import { findRow, shown, viewOf, type Family, type Table } from '../family.js';
import { maskOrganization, ORGANIZATION_MASKED_ALWAYS, ORGANIZATION_MASKED_UNLESS_GLOBAL_ADMIN } from '../../casdoor/masking.js';
import { isPaginated, listParams, newestFirst, paginate } from '../query.js';
import { ORGANIZATION } from '../schema.js';
import { splitId } from '../util.js';

function getOrganizations(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const view = viewOf(c, ctx, 'list');
  const globalAdmin = view.globalAdmin;
  const me = currentUser(ctx, view.caller);
  if (!globalAdmin && !me) return c.json(fail('Please sign in first'));
  const owner = c.req.query('owner') ?? '';
  const all = [...family.rows(ctx.store).values()];
  // Non-global callers only ever see their own organization, whatever the parameters say.
  if (!globalAdmin) return c.json(ok(newestFirst(all.filter((o) => o.name === me?.owner)).map((o) => shown(family, o, view))));
  const params = listParams(c);
  const byOwner = all.filter((o) => owner === '' || o.owner === owner);
  if (!isPaginated(params)) return c.json(ok(newestFirst(byOwner).map((o) => shown(family, o, view))));
  const name = c.req.query('organizationName') ?? '';
  const page = paginate(ORGANIZATION, byOwner.filter((o) => name === '' || o.name === name), params);
  if (!page.ok) return c.json(fail(page.error));
  return c.json(ok(page.rows.map((o) => shown(family, o, view)), page.total));
}

function getOrganization(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const parts = splitId(c.req.query('id') ?? '');
  if ('error' in parts) return c.json(fail(parts.error));
  const hit = findRow(family, ctx.store, parts.owner, parts.name);
  if (!hit) return c.json(ok(null));
  const out = shown(family, hit[1], viewOf(c, ctx, 'get'));
  if (out.mfaRememberInHours === 0) out.mfaRememberInHours = 12;
  return c.json(ok(out));
}

export const organizations: Family = {
  singular: 'organization',
  plural: 'organizations',
  table: 'organization',
  schema: ORGANIZATION,
  rows: (store) => store.organizations as unknown as Table,
  endpoints: ['list', 'get', 'add', 'update', 'delete'],
  // An organization is its own: its admin may update it (admin/<her org>).
  ownerColumn: 'name',
  access: { list: { anyone: true } },
  // Casdoor masks these for everyone; the obfuscator key and salt for all but global admins.
  mask: (row, view) => maskOrganization(row, view.globalAdmin),
  keepMasked: [...ORGANIZATION_MASKED_ALWAYS, ...ORGANIZATION_MASKED_UNLESS_GLOBAL_ADMIN],
  fixedName: (name) => name === 'built-in',
  undeletable: (row) => (row.name === 'built-in' ? 'unaffected' : undefined),
  renamed(ctx, from, to) {
    if (from.name === to.name) return;
    for (const app of ctx.store.applications.values()) if (app.organization === from.name) app.organization = String(to.name);
  },
  override: { list: getOrganizations, get: getOrganization },
};
