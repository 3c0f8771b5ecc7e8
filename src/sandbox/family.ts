// One declaration per Casdoor resource family (columns, key, owner rule, masking, endpoints), from
// which the CRUD handlers and the seed rows are derived. Casdoor's controllers for these families
// differ only in the options below; access rules are the authz filter's (authz.ts), as in Casdoor.
import type { Hono } from 'hono';
import { isGlobalAdmin } from './auth.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { action, fail, ok } from './envelope.js';
import { listParams } from './applications.js';
import { isPaginated, newestFirst, paginate } from './query.js';
import { decode, present, type Schema } from './schema.js';
import type { SandboxStore } from './types.js';
import { getId, splitId } from './util.js';
import { decodeBody } from './validate.js';

export type Row = Record<string, unknown>;

/** What a family's rows live in: a Map, or a Map-like table such as the token store (no set: rows come from elsewhere). */
export interface Table {
  get(key: string): Row | undefined;
  set?(key: string, row: Row): unknown;
  delete(key: string): boolean;
  values(): IterableIterator<Row>;
}
export type Endpoint = 'list' | 'get' | 'add' | 'update' | 'delete';

export interface Family {
  /** The REST words: get-<plural>, get-<singular>, add-<singular>, ... */
  singular: string;
  plural: string;
  /** The SQL table, for Casdoor's raw UNIQUE constraint text. */
  table: string;
  schema: Schema;
  /** The rows, keyed by whatever the store keys them by; looked up by owner and name. */
  rows(store: SandboxStore): Table;
  /** The key a row is stored under; default "<owner>/<name>". */
  keyOf?(row: Row): string;
  endpoints: readonly Endpoint[];
  /** Values a written row (add and update) gets when the body leaves them out or null (Casdoor's [] where it is not null). */
  writeDefaults?: Row;
  /** Which rows get-<plural>?owner=X lists: that owner's, or also the global ("admin") ones. */
  listScope?: 'owner' | 'owner-or-admin';
  /** get-<plural> also narrows by the organization column (tokens). */
  organizationFilter?: boolean;
  /** get-<singular> of a missing id: an error message (tokens) instead of data null. */
  missing?(id: string): string;
  /** Read masking; told whether the caller is a global administrator. */
  mask?(row: Row, globalAdmin: boolean): Row;
  /** "***" sent back for these columns keeps the stored value (Casdoor's masked round trip). */
  keepMasked?: readonly string[];
  /** Body columns delete-<singular> must match besides owner and name (tokens: organization). */
  deleteMatches?: readonly string[];
  /** Why a row cannot be deleted: 'unaffected' (Casdoor's silent refusal) or an error message. */
  undeletable?(row: Row, ctx: SandboxContext): string | undefined;
  /** The name of this row cannot change (built-in). */
  fixedName?(name: string): boolean;
  /** Names are unique across owners (groups, providers), not only within one. */
  globalName?: boolean;
  /** References to a renamed row follow it. */
  renamed?(ctx: SandboxContext, from: Row, to: Row): void;
  /** A hand-written handler replacing a derived one (organizations' public list). */
  override?: Partial<Record<Endpoint, (c: Ctx, ctx: SandboxContext, family: Family) => Response>>;
  seeds?(created: () => string): Row[];
}

export function findRow(family: Family, store: SandboxStore, owner: string, name: string): [string, Row] | undefined {
  const rows = family.rows(store);
  const direct = rows.get(getId(owner, name));
  if (direct && direct.owner === owner && direct.name === name) return [getId(owner, name), direct];
  for (const row of rows.values()) if (row.owner === owner && row.name === name) return [keyOf(family, row), row];
  return undefined;
}

function insert(family: Family, store: SandboxStore, row: Row): void {
  const rows = family.rows(store);
  if (!rows.set) throw new Error(`the ${family.plural} table takes no new rows`);
  rows.set(keyOf(family, row), row);
}

const keyOf = (family: Family, row: Row): string => family.keyOf?.(row) ?? getId(String(row.owner), String(row.name));

export function shown(family: Family, row: Row, globalAdmin: boolean): Row {
  const out = present(family.schema, row);
  return family.mask ? family.mask(out, globalAdmin) : out;
}

function unique(family: Family): string {
  return `constraint failed: UNIQUE constraint failed: ${family.table}.owner, ${family.table}.name (1555)`;
}

function applyDefaults(family: Family, row: Row): void {
  for (const [key, value] of Object.entries(family.writeDefaults ?? {})) if (row[key] === null) row[key] = structuredClone(value);
}

function list(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const owner = c.req.query('owner') ?? '';
  const organization = c.req.query('organization') ?? '';
  const globalAdmin = isGlobalAdmin(ctx, c.get('caller'));
  const rows = [...family.rows(ctx.store).values()].filter((r) => {
    const byOwner = owner === '' || r.owner === owner || (family.listScope === 'owner-or-admin' && r.owner === 'admin');
    return byOwner && (!family.organizationFilter || organization === '' || r.organization === organization);
  });
  const params = listParams(c);
  if (!isPaginated(params)) return c.json(ok(newestFirst(rows).map((r) => shown(family, r, globalAdmin))));
  const page = paginate(family.schema, rows, params);
  if (!page.ok) return c.json(fail(page.error));
  return c.json(ok(page.rows.map((r) => shown(family, r, globalAdmin)), page.total));
}

function get(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const id = c.req.query('id') ?? '';
  const parts = splitId(id);
  if ('error' in parts) return c.json(fail(parts.error));
  // An empty owner or name reads nothing, even when a nameless row was added (roles-crud-admin.json).
  const hit = parts.owner && parts.name ? findRow(family, ctx.store, parts.owner, parts.name) : undefined;
  if (!hit) return c.json(family.missing ? fail(family.missing(id)) : ok(null));
  return c.json(ok(shown(family, hit[1], isGlobalAdmin(ctx, c.get('caller')))));
}

function add(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const decoded = decodeBody(c, family.schema);
  if (!decoded.ok) return c.json(fail(decoded.error));
  const row = decoded.value;
  applyDefaults(family, row);
  const taken = family.globalName
    ? [...family.rows(ctx.store).values()].some((r) => r.name === row.name)
    : findRow(family, ctx.store, String(row.owner), String(row.name)) !== undefined;
  if (taken) return c.json(fail(unique(family)));
  insert(family, ctx.store, row);
  return c.json(action(true));
}

function update(c: Ctx, ctx: SandboxContext, family: Family): Response {
  const parts = splitId(c.req.query('id') ?? '');
  if ('error' in parts) return c.json(fail(parts.error));
  const decoded = decodeBody(c, family.schema);
  if (!decoded.ok) return c.json(fail(decoded.error));
  const hit = findRow(family, ctx.store, parts.owner, parts.name);
  if (!hit) return c.json(action(false));
  const [oldKey, old] = hit;
  // AllCols(): every column is written from the body, absent ones as their zero value.
  const next = decoded.value;
  applyDefaults(family, next);
  for (const key of family.keepMasked ?? []) if (next[key] === '***') next[key] = old[key];
  if (family.fixedName?.(parts.name)) next.name = parts.name;
  const newKey = keyOf(family, next);
  if (newKey !== oldKey) {
    const clash = family.globalName
      ? [...family.rows(ctx.store).values()].some((r) => r !== old && r.name === next.name)
      : findRow(family, ctx.store, String(next.owner), String(next.name)) !== undefined;
    if (clash) return c.json(fail(unique(family)));
  }
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
  if (!hit) return c.json(action(false));
  const [key, row] = hit;
  for (const column of family.deleteMatches ?? []) if (row[column] !== body[column]) return c.json(action(false));
  const refusal = family.undeletable?.(row, ctx);
  if (refusal === 'unaffected') return c.json(action(false));
  if (refusal) return c.json(fail(refusal));
  family.rows(ctx.store).delete(key);
  return c.json(action(true));
}

const DERIVED: Record<Endpoint, (c: Ctx, ctx: SandboxContext, family: Family) => Response> = {
  list, get, add, update, delete: remove,
};

export function registerFamily(app: Hono<AppEnv>, ctx: SandboxContext, family: Family): void {
  for (const endpoint of family.endpoints) {
    const handler = family.override?.[endpoint] ?? DERIVED[endpoint];
    const run = (c: Ctx): Response => handler(c, ctx, family);
    if (endpoint === 'list') app.get(`/api/get-${family.plural}`, run);
    else if (endpoint === 'get') app.get(`/api/get-${family.singular}`, run);
    else app.post(`/api/${endpoint}-${family.singular}`, run);
  }
}

/** A seed row: the family's zero values, then the given columns. */
export function seedRow(family: Family, fields: Row): Row {
  const decoded = decode(family.schema, { ...family.writeDefaults, ...fields });
  if (!decoded.ok) throw new Error(`sandbox seed: ${decoded.error}`);
  return decoded.value;
}

export function seedFamily(family: Family, store: SandboxStore, created: () => string): void {
  for (const fields of family.seeds?.(created) ?? []) {
    const row = seedRow(family, fields);
    insert(family, store, row);
  }
}
