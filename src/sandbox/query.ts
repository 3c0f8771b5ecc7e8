// List semantics shared by the get-* endpoints: object.GetSession (field LIKE, sort) and
// beego's paginator, whose page number is clamped to the last page.
import type { Schema } from './schema.js';
import { camelToSnake, columnKey } from './util.js';
import type { Ctx } from './context.js';

type Row = Record<string, unknown>;

export interface ListParams {
  p: string;
  pageSize: string;
  field: string;
  value: string;
  sortField: string;
  sortOrder: string;
}

export type ListResult = { ok: true; rows: Row[]; total: number | null } | { ok: false; error: string };

const FIELD_RE = /^[A-Za-z0-9]+$/; // util.FilterField

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a === true) - Number(b === true);
  const x = String(a ?? '');
  const y = String(b ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
}

function columnOf(s: Schema, field: string): string | { error: string } {
  const f = s.byKey.get(columnKey(field));
  if (!f || f.kind === 'r') return { error: `no such column: ${camelToSnake(field)}` };
  return f.name;
}

// Stable sort: ties keep storage order both ways (measured: rows with equal or empty
// createdTime come back in insertion order under "newest first").
export function sortRows(rows: Row[], key: string, ascend: boolean): Row[] {
  const indexed = rows.map((row, i) => ({ row, i }));
  indexed.sort((a, b) => {
    const cmp = compare(a.row[key], b.row[key]);
    if (cmp !== 0) return ascend ? cmp : -cmp;
    return a.i - b.i;
  });
  return indexed.map((x) => x.row);
}

// The non-paginated branch: everything, newest first.
export function newestFirst(rows: Row[]): Row[] {
  return sortRows(rows, 'createdTime', false);
}

function atoi(text: string): number | { error: string } {
  if (!/^[+-]?\d+$/.test(text)) return { error: `strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax` };
  return Number.parseInt(text, 10);
}

export function isPaginated(params: ListParams): boolean {
  return params.p !== '' && params.pageSize !== '';
}

// The paginated branch: filter, sort, clamp the page and slice; total counts the filtered rows.
export function paginate(s: Schema, rows: Row[], params: ListParams): ListResult {
  const limit = atoi(params.pageSize);
  if (typeof limit !== 'number') return { ok: false, error: limit.error };
  let filtered = rows;
  if (params.field !== '' && params.value !== '' && FIELD_RE.test(params.field)) {
    const key = columnOf(s, params.field);
    if (typeof key !== 'string') return { ok: false, error: key.error };
    const needle = params.value.toLowerCase();
    filtered = rows.filter((row) => String(row[key] ?? '').toLowerCase().includes(needle));
  }
  let sortKey = 'createdTime';
  if (params.sortField !== '' && params.sortOrder !== '' && FIELD_RE.test(params.sortField)) {
    const key = columnOf(s, params.sortField);
    if (typeof key !== 'string') return { ok: false, error: key.error };
    sortKey = key;
  }
  const sorted = sortRows(filtered, sortKey, params.sortOrder === 'ascend');
  const total = sorted.length;
  const per = limit <= 0 ? 10 : limit;
  const pageNums = Math.ceil(total / per);
  const parsed = atoi(params.p);
  let page = typeof parsed === 'number' ? parsed : 0;
  if (page > pageNums) page = pageNums;
  if (page <= 0) page = 1;
  const offset = (page - 1) * per;
  const rowsOut = limit > 0 ? sorted.slice(offset, offset + limit) : sorted.slice(offset);
  return { ok: true, rows: rowsOut, total };
}

export function listParams(c: Ctx): ListParams {
  const q = (name: string): string => c.req.query(name) ?? '';
  return { p: q('p'), pageSize: q('pageSize'), field: q('field'), value: q('value'), sortField: q('sortField'), sortOrder: q('sortOrder') };
}
