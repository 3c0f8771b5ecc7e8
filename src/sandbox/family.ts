// One declaration per Casdoor resource family (columns, key, owner rule, masking, endpoints, access),
// from which the CRUD handlers (family-crud.ts), the access rules of the authz filter (routes.ts)
// and the seed rows are derived. Casdoor's controllers differ only in the options below.
import type { Hono } from 'hono';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import type { Envelope } from './envelope.js';
import { DERIVED, insert } from './family-crud.js';

export { findRow, shown, viewOf } from './family-crud.js';
import type { Access } from './routes.js';
import { route } from './routes.js';
import { decode, type Schema } from './schema.js';
import type { SandboxStore } from './types.js';

export type Row = Record<string, unknown>;

/** What a family's rows live in: a Map, or a Map-like table such as the token store (no set: rows come from elsewhere). */
export interface Table {
  get(key: string): Row | undefined;
  set?(key: string, row: Row): unknown;
  delete(key: string): boolean;
  values(): IterableIterator<Row>;
}
export type Endpoint = 'list' | 'get' | 'add' | 'update' | 'delete';
export type Handler = (c: Ctx, ctx: SandboxContext, family: Family) => Response;

/** Who reads a row, for masking. */
export interface View { ctx: SandboxContext; caller: string; globalAdmin: boolean; endpoint: Endpoint }

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
  /** The column naming the organization that owns a row, for the authz filter: owner (default), organization or name. */
  ownerColumn?: Access['owner'];
  /** Endpoints anyone may call (Casdoor's `p, *, *` policies), those a signed-in user may call on himself, or a DCR client. */
  access?: Partial<Record<Endpoint, Pick<Access, 'anyone' | 'self' | 'dcr'>>>;
  /** Routes besides the five CRUD ones (get-organization-applications), with their access. */
  extraRoutes?: ReadonlyArray<{ method: 'GET' | 'POST'; path: string; access: Access; handler: Handler }>;
  /** Values a written row (add and update) gets when the body leaves them out or null (Casdoor's [] where it is not null). */
  writeDefaults?: Row;
  /** Which rows get-<plural>?owner=X lists: that owner's, or also the global ("admin") ones. */
  listScope?: 'owner' | 'owner-or-admin';
  /** get-<plural>?organization=X narrows by this; `paged: false` ignores it with p/pageSize (applications). */
  organizationFilter?: { match(row: Row, organization: string): boolean; paged: boolean };
  /** An empty page answers data null, not [] (applications). */
  emptyPageNull?: boolean;
  /** get-<singular> of a missing id: an error message (tokens) instead of data null. */
  missing?(id: string): string;
  /** What get-<singular> answers before masking; default the row's columns (applications add organizationObj). */
  expand?(ctx: SandboxContext, row: Row, c: Ctx): Row;
  /** Read masking. */
  mask?(row: Row, view: View): Row;
  /** "***" sent back for these columns keeps the stored value (Casdoor's masked round trip). */
  keepMasked?: readonly string[];
  /** Defaults and checks of add-<singular> on the decoded row; an answer refuses it. */
  prepareAdd?(row: Row, ctx: SandboxContext, c: Ctx): Envelope | undefined;
  /** add-<singular> of a taken owner/name: default Casdoor's raw UNIQUE error. */
  duplicate?: Envelope;
  /** Checks of update-<singular> on the body alone, before the row is looked up. */
  checkBody?(body: Row): Envelope | undefined;
  /** Checks of update-<singular> against the stored row; an answer refuses it. */
  prepareUpdate?(body: Row, old: Row, ctx: SandboxContext, c: Ctx): Envelope | undefined;
  /** 'all': AllCols(), every column from the body (default); 'must-columns': with ?columns=, MustCols(columns): the listed and the non-zero ones. */
  write?: 'all' | 'must-columns';
  /** The error of an update onto a taken owner/name; default Casdoor's raw UNIQUE error. */
  uniqueError?: string;
  /** Body columns delete-<singular> must match besides owner and name (tokens, applications: organization). */
  deleteMatches?: readonly string[];
  /** Why a row cannot be deleted: 'unaffected' (Casdoor's silent refusal) or an error message. */
  undeletable?(row: Row, ctx: SandboxContext): string | undefined;
  /** Runs when delete-<singular> goes ahead; 'kept' marks the row deleted instead of removing it (soft deletion). */
  onDelete?(row: Row, ctx: SandboxContext): 'kept' | undefined;
  /** The name of this row cannot change (built-in). */
  fixedName?(name: string): boolean;
  /** Names are unique across owners (groups, providers), not only within one. */
  globalName?: boolean;
  /** References to a renamed row follow it. */
  renamed?(ctx: SandboxContext, from: Row, to: Row): void;
  /** A hand-written handler replacing a derived one. */
  override?: Partial<Record<Endpoint, Handler>>;
  seeds?(created: () => string): Row[];
}

const PATHS: Record<Endpoint, (f: Family) => ['GET' | 'POST', string]> = {
  list: (f) => ['GET', `/api/get-${f.plural}`],
  get: (f) => ['GET', `/api/get-${f.singular}`],
  add: (f) => ['POST', `/api/add-${f.singular}`],
  update: (f) => ['POST', `/api/update-${f.singular}`],
  delete: (f) => ['POST', `/api/delete-${f.singular}`],
};
const SHAPES: Record<Endpoint, Access['shape']> = { list: 'list', get: 'one', add: 'write', update: 'write', delete: 'write' };

export function registerFamily(app: Hono<AppEnv>, ctx: SandboxContext, family: Family): void {
  for (const endpoint of family.endpoints) {
    const handler = family.override?.[endpoint] ?? DERIVED[endpoint];
    const [method, path] = PATHS[endpoint](family);
    const access: Access = { shape: SHAPES[endpoint], owner: family.ownerColumn, ...family.access?.[endpoint] };
    route(app, ctx.routes, method, path, access, (c) => handler(c, ctx, family));
  }
  for (const extra of family.extraRoutes ?? []) route(app, ctx.routes, extra.method, extra.path, extra.access, (c) => extra.handler(c, ctx, family));
}

/** A seed row: the family's zero values, then the given columns. */
export function seedRow(family: Family, fields: Row): Row {
  const decoded = decode(family.schema, { ...family.writeDefaults, ...fields });
  if (!decoded.ok) throw new Error(`sandbox seed: ${decoded.error}`);
  return decoded.value;
}

export function seedFamily(family: Family, store: SandboxStore, created: () => string): void {
  for (const fields of family.seeds?.(created) ?? []) insert(family, store, seedRow(family, fields));
}
