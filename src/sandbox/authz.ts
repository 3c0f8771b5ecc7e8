// routers/authz_filter.go + authz/authz.go: who may call which API on which object, before any
// controller runs, by the access each route declares (routes.ts). Then
// routers/field_validation_filter.go for names of added/updated objects.
import type { MiddlewareHandler } from 'hono';
import { CASDOOR_FORBIDDEN_NAME_CHARS } from '../casdoor/rules.js';
import { callerOf } from './auth.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { filterError, UNAUTHORIZED } from './envelope.js';
import type { Access, Method, RouteTable } from './routes.js';
import { isRecord, parseJson, splitId } from './util.js';

// Casdoor's `p, *, *, <method>, <path>` policies (and the DCR client's) for routes the sandbox does
// not serve: whoever passes the filter then gets beego's 404, as from Casdoor without the controller.
const UNSERVED: Array<[Method, string, Access]> = [
  ['POST', '/api/signup', { shape: 'write', anyone: true }], ['GET', '/api/get-app-login', { shape: 'one', anyone: true }],
  ['GET', '/api/userinfo', { shape: 'one', anyone: true, dcr: true }], ['GET', '/api/user', { shape: 'one', anyone: true }],
  ['GET', '/api/health', { shape: 'one', anyone: true }], ['GET', '/api/get-user-application', { shape: 'one', anyone: true }],
  ['POST', '/api/set-password', { shape: 'write', anyone: true }], ['GET', '/api/get-default-application', { shape: 'one', anyone: true }],
  ['GET', '/api/get-organization-names', { shape: 'list', anyone: true }], ['*', '/api/get-oauth-token', { shape: 'one', dcr: true }],
];

export function declareUnserved(routes: RouteTable): void {
  for (const [method, path, access] of UNSERVED) routes.declare(method, path, access);
}

function formOwner(c: Ctx): string {
  const type = c.req.header('content-type') ?? '';
  return type.includes('application/x-www-form-urlencoded') ? new URLSearchParams(c.get('raw')).get('owner') ?? '' : '';
}

// getObject: the owning organization of the object a request touches, where its route says it is.
export function objectOwner(c: Ctx, access: Access): string | { error: string } {
  const column = access.owner ?? 'owner';
  const id = c.req.query('id') ?? '';
  if (access.shape !== 'write') {
    const organization = c.req.query('organization') ?? '';
    if (access.shape === 'one' && id) {
      const parts = splitId(id);
      if ('error' in parts) return parts;
      if (organization) return organization;
      return column === 'name' ? parts.name : parts.owner;
    }
    return organization || (c.req.query('owner') ?? '');
  }
  // The id names the object, whatever the body says; objects owned through a column are the exception.
  if (id && column !== 'organization') {
    const parts = splitId(id);
    // IsAllowed lets an organization's admin update the organization object itself (admin/<her org>).
    if (!('error' in parts)) return column === 'name' ? parts.name : parts.owner;
  }
  const raw = c.get('raw');
  if (!raw) return formOwner(c);
  const parsed = parseJson(raw);
  if (!parsed.ok || !isRecord(parsed.value)) return formOwner(c);
  const value = parsed.value[column];
  return typeof value === 'string' ? value : '';
}

export function isAllowed(ctx: SandboxContext, caller: string, access: Access, objOwner: string, selfId = ''): boolean {
  const [subOwner = 'anonymous'] = caller ? caller.split('/') : [];
  if (subOwner === 'app') return true;
  const user = caller ? ctx.store.users.get(caller) : undefined;
  if (user) {
    if (user.isDeleted) return false;
    if (user.owner === 'built-in') return true;
    if (user.isAdmin && subOwner === objOwner) return true;
  }
  if (subOwner === 'built-in') return true; // p, built-in, *, *, *, *, *
  // A signed-in user may update himself; the controller then drops admin-only columns.
  if (user && access.self && selfId === caller) return true;
  if (subOwner === 'app-dcr') return access.dcr === true;
  return access.anyone === true;
}

export function apiFilter(ctx: SandboxContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = callerOf(c);
    c.set('caller', caller);
    // A route nobody declared is nobody's but the admins' (they then get beego's 404).
    const access = ctx.routes.find(c.req.method, c.req.path) ?? { shape: c.req.method === 'GET' ? 'one' : 'write' };
    const owner = objectOwner(c, access);
    if (typeof owner !== 'string') return c.json(filterError(owner.error));
    if (!isAllowed(ctx, caller, access, owner, c.req.query('id') ?? '')) {
      return c.json(filterError(UNAUTHORIZED));
    }
    if (c.req.method === 'POST' && /^\/api\/(add|update)-/.test(c.req.path)) {
      const parsed = parseJson(c.get('raw'));
      const name = parsed.ok && isRecord(parsed.value) ? parsed.value.name : undefined;
      if (typeof name === 'string' && [...CASDOOR_FORBIDDEN_NAME_CHARS].some((ch) => name.includes(ch))) {
        return c.json(filterError(`Field 'name' contains forbidden characters: "${CASDOOR_FORBIDDEN_NAME_CHARS}"`));
      }
    }
    return next();
  };
}
