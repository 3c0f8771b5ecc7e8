// The CRUD handlers every family declaration (family.ts) gets unless it overrides one: Casdoor's
// get-<plural>, get-<singular>, add-, update- and delete-<singular>, with the declared quirks.
import type { Ctx, SandboxContext } from './context.js';
import { action, fail, ok } from './envelope.js';
import { isGlobalAdmin } from './auth.js';
import type { Endpoint, Family, Handler, Row, View } from './family.js';
import { isPaginated, listParams, newestFirst, paginate } from './query.js';
import { isNonZero, present } from './schema.js';
import type { SandboxStore } from './types.js';
import { columnKey, getId, splitId } from './util.js';
import { decodeBody } from './validate.js';

export function findRow(family: Family, store: SandboxStore, owner: string, name: string): [string, Row] | undefined {
  const rows = family.rows(store);
  const direct = rows.get(getId(owner, name));
  if (direct && direct.owner === owner && direct.name === name) return [getId(owner, name), direct];
  for (const row of rows.values()) if (row.owner === owner && row.name === name) return [keyOf(family, row), row];
  return undefined;
}

export function insert(family: Family, store: SandboxStore, row: Row): void {
  const rows = family.rows(store);
  if (!rows.set) throw new Error(`the ${family.plural} table takes no new rows`);
  rows.set(keyOf(family, row), row);
}

export const keyOf = (family: Family, row: Row): string => family.keyOf?.(row) ?? getId(String(row.owner), String(row.name));

export function viewOf(c: Ctx, ctx: SandboxContext, endpoint: Endpoint): View {
  const caller = c.get('caller');
  return { ctx, caller, globalAdmin: isGlobalAdmin(ctx, caller), endpoint };
}

/** A row as the caller reads it: its columns (or the family's expansion), masked. */
export function shown(family: Family, row: Row, view: View, expanded?: Row): Row {
  const out = expanded ?? present(family.schema, row);
  return family.mask ? family.mask(out, view) : out;
}

function unique(family: Family): string {
  return family.uniqueError ?? `constraint failed: UNIQUE constraint failed: ${family.table}.owner, ${family.table}.name (1555)`;
}

function applyDefaults(family: Family, row: Row): void {
  for (const [key, value] of Object.entries(family.writeDefaults ?? {})) if (row[key] === null) row[key] = structuredClone(value);
}

function taken(family: Family, ctx: SandboxContext, row: Row, except?: Row): boolean {
  if (!family.globalName) return findRow(family, ctx.store, String(row.owner), String(row.name)) !== undefined;
  return [...family.rows(ctx.store).values()].some((r) => r !== except && r.name === row.name);
}

function list(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const owner = c.req.query('owner') ?? '';
  const organization = c.req.query('organization') ?? '';
  const view = viewOf(c, ctx, 'list');
  const params = listParams(c);
  const paged = isPaginated(params);
  const filter = family.organizationFilter;
  const byOrganization = filter && organization !== '' && (paged ? filter.paged : true);
  const rows = [...family.rows(ctx.store).values()].filter((r) => {
    // Applications: ?organization= replaces the owner filter (and takes the shared ones).
    if (byOrganization && !filter.paged) return filter.match(r, organization);
    const byOwner = owner === '' || r.owner === owner || (family.listScope === 'owner-or-admin' && r.owner === 'admin');
    return byOwner && (!byOrganization || filter.match(r, organization));
  });
  if (!paged) return c.json(ok(newestFirst(rows).map((r) => shown(family, r, view))));
  const page = paginate(family.schema, rows, params);
  if (!page.ok) return c.json(fail(page.error));
  const out = page.rows.length === 0 && family.emptyPageNull ? null : page.rows.map((r) => shown(family, r, view));
  return c.json(ok(out, page.total));
}

function get(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const id = c.req.query('id') ?? '';
  const parts = splitId(id);
  if ('error' in parts) return c.json(fail(parts.error));
  // An empty owner or name reads nothing, even when a nameless row was added (roles-crud-admin.json).
  const hit = parts.owner && parts.name ? findRow(family, ctx.store, parts.owner, parts.name) : undefined;
  if (!hit) return c.json(family.missing ? fail(family.missing(id)) : ok(null));
  return c.json(ok(shown(family, hit[1], viewOf(c, ctx, 'get'), family.expand?.(ctx, hit[1], c))));
}

function add(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const decoded = decodeBody(c, family.schema);
  if (!decoded.ok) return c.json(fail(decoded.error));
  const row = decoded.value;
  applyDefaults(family, row);
  const refusal = family.prepareAdd?.(row, ctx, c);
  if (refusal) return c.json(refusal);
  if (taken(family, ctx, row)) return c.json(family.duplicate ?? fail(unique(family)));
  insert(family, ctx.store, row);
  return c.json(action(true));
}

// MustCols(columns): the listed columns and every non-zero field of the body; the rest stays.
function mustColumns(family: Family, body: Row, old: Row, columns: string[]): Row {
  const next: Row = {};
  for (const f of family.schema.fields) {
    if (f.kind === 'r') continue;
    const write = columns.includes(columnKey(f.name)) || isNonZero(f.kind, body[f.name]);
    next[f.name] = write ? body[f.name] : old[f.name];
  }
  return next;
}

function update(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const parts = splitId(c.req.query('id') ?? '');
  if ('error' in parts) return c.json(fail(parts.error));
  const decoded = decodeBody(c, family.schema);
  if (!decoded.ok) return c.json(fail(decoded.error));
  const body = decoded.value;
  const early = family.checkBody?.(body);
  if (early) return c.json(early);
  const hit = findRow(family, ctx.store, parts.owner, parts.name);
  if (!hit) return c.json(action(false));
  const [oldKey, old] = hit;
  applyDefaults(family, body);
  if (family.fixedName?.(parts.name)) body.name = parts.name;
  const refusal = family.prepareUpdate?.(body, old, ctx, c);
  if (refusal) return c.json(refusal);
  // AllCols(): every column is written from the body, absent ones as their zero value.
  const columns = (c.req.query('columns') ?? '').split(',').filter((s) => s !== '').map(columnKey);
  const next = family.write === 'must-columns' && columns.length > 0 ? mustColumns(family, body, old, columns) : body;
  for (const key of family.keepMasked ?? []) if (body[key] === '***') next[key] = old[key];
  if (keyOf(family, next) !== oldKey && taken(family, ctx, next, old)) return c.json(fail(unique(family)));
  family.renamed?.(ctx, old, next);
  family.rows(ctx.store).delete(oldKey);
  insert(family, ctx.store, next);
  return c.json(action(true));
}

function remove(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const decoded = decodeBody(c, family.schema);
  if (!decoded.ok) return c.json(fail(decoded.error));
  const body = decoded.value;
  const hit = findRow(family, ctx.store, String(body.owner), String(body.name));
  const refusal = hit ? family.undeletable?.(hit[1], ctx) : undefined;
  if (refusal && refusal !== 'unaffected') return c.json(fail(refusal));
  if (!hit || refusal) return c.json(action(false));
  const [key, row] = hit;
  for (const column of family.deleteMatches ?? []) if (row[column] !== body[column]) return c.json(action(false));
  if (family.onDelete?.(row, ctx) === 'kept') return c.json(action(true));
  family.rows(ctx.store).delete(key);
  return c.json(action(true));
}

export const DERIVED: Record<Endpoint, Handler> = { list, get, add, update, delete: remove };
