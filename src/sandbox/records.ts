// controllers/record.go: add-record and get-records. Casdoor keeps a record under its organization
// (owner is overwritten with it) and drops one of the pseudo-organization "app" (application
// callers), answering "Unaffected". Kept in memory, the oldest first to go.
import type { Hono } from 'hono';
import type { AppEnv, SandboxContext } from './context.js';
import { action, fail, ok } from './envelope.js';
import { isRecord, parseJson } from './util.js';

export type SandboxRecord = Record<string, unknown> & { id: number; owner: string; name: string; organization: string };

const COLUMNS = ['owner', 'name', 'createdTime', 'organization', 'clientIp', 'user', 'method', 'requestUri', 'action', 'language', 'object', 'response', 'statusCode', 'isTriggered'];

export function registerRecords(app: Hono<AppEnv>, ctx: SandboxContext, limit = 1_000): void {
  let nextId = 1;
  app.post('/api/add-record', (c) => {
    const parsed = parseJson(c.get('raw'));
    if (!parsed.ok || !isRecord(parsed.value)) return c.json(fail(parsed.ok ? 'json: cannot unmarshal into Go value of type casvisorsdk.Record' : parsed.error));
    const body = parsed.value;
    const record: SandboxRecord = { id: nextId++, owner: '', name: '', organization: '' };
    for (const column of COLUMNS) if (body[column] !== undefined) record[column] = body[column];
    if (record.organization === 'app') return c.json(action(false));
    record.owner = String(record.organization ?? '');
    ctx.records.push(record);
    if (ctx.records.length > limit) ctx.records.splice(0, ctx.records.length - limit);
    return c.json(action(true));
  });
  // Newest first; field/value narrows to one column's exact value, as Casdoor's list filters do.
  app.get('/api/get-records', (c) => {
    const field = c.req.query('field') ?? '';
    const value = c.req.query('value') ?? '';
    const rows = ctx.records.filter((r) => !field || String(r[field] ?? '') === value).reverse();
    const pageSize = Number(c.req.query('pageSize') ?? '');
    if (!Number.isInteger(pageSize) || pageSize <= 0) return c.json(ok(rows));
    const page = Math.max(1, Number(c.req.query('p') ?? '1') || 1);
    return c.json(ok(rows.slice((page - 1) * pageSize, page * pageSize), rows.length));
  });
}
