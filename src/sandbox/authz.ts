// routers/authz_filter.go + authz/authz.go: who may call which API on which object, before any
// controller runs. Then routers/field_validation_filter.go for names of added/updated objects.
import type { MiddlewareHandler } from 'hono';
import { CASDOOR_FORBIDDEN_NAME_CHARS } from '../casdoor/rules.js';
import { callerOf } from './auth.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { filterError, UNAUTHORIZED } from './envelope.js';
import { isRecord, parseJson, splitId } from './util.js';

// The `p, *, *, <method>, <path>` policies that matter for the sandbox's routes.
const PUBLIC: Array<[string, string]> = [
  ['POST', '/api/signup'], ['POST', '/api/login'], ['GET', '/api/get-app-login'], ['POST', '/api/logout'],
  ['GET', '/api/logout'], ['GET', '/api/get-account'], ['GET', '/api/userinfo'], ['GET', '/api/user'],
  ['GET', '/api/health'], ['*', '/api/login/oauth'], ['*', '/api/oauth/register'],
  ['GET', '/api/get-application'], ['GET', '/api/get-organization-applications'], ['GET', '/api/get-user'],
  ['GET', '/api/get-user-application'], ['POST', '/api/set-password'], ['GET', '/api/get-default-application'],
  ['GET', '/api/get-organization-names'], ['GET', '/api/get-organizations'], ['GET', '/api/get-provider'],
];
const DCR_ALLOWED = ['/api/login/oauth', '/api/get-oauth-token', '/api/userinfo', '/api/get-application'];
const ORG_OWNER_OBJECTS = ['-organization', '-syncer', '-webhook', '-application', '-token'];

function urlPathOf(path: string): string {
  if (path.startsWith('/api/login/oauth')) return '/api/login/oauth';
  if (path.startsWith('/api/oauth/register')) return '/api/oauth/register';
  return path;
}

function isOrgOwnerObject(path: string): boolean {
  return ORG_OWNER_OBJECTS.some((suffix) => path.endsWith(suffix) || path.includes(`${suffix}s`));
}

function formOwner(c: Ctx): string {
  const type = c.req.header('content-type') ?? '';
  return type.includes('application/x-www-form-urlencoded') ? new URLSearchParams(c.get('raw')).get('owner') ?? '' : '';
}

// getObject: the (owner) of the object a request touches; GET uses the query, POST the id or body.
export function objectOwner(c: Ctx): string | { error: string } {
  const path = c.req.path;
  if (c.req.method === 'GET') {
    const organization = c.req.query('organization') ?? '';
    const listPath = path.startsWith('/api/get-') && path.endsWith('s');
    const id = c.req.query('id') ?? '';
    if (!listPath && id) {
      const parts = splitId(id);
      if ('error' in parts) return parts;
      if (organization) return organization;
      return path.endsWith('organization') ? parts.name : parts.owner;
    }
    return organization || (c.req.query('owner') ?? '');
  }
  const ownerObject = isOrgOwnerObject(path);
  const id = c.req.query('id') ?? '';
  if (id && (!ownerObject || path.endsWith('update-organization'))) {
    const parts = splitId(id);
    // IsAllowed lets an organization's admin update the organization object itself (admin/<her org>).
    if (!('error' in parts)) return path.endsWith('update-organization') ? parts.name : parts.owner;
  }
  const raw = c.get('raw');
  if (!raw) return formOwner(c);
  const parsed = parseJson(raw);
  if (!parsed.ok || !isRecord(parsed.value)) return formOwner(c);
  const body = parsed.value;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (ownerObject && !path.endsWith('-organization')) return str(body.organization);
  if (path.endsWith('-organization')) return str(body.name);
  return str(body.owner);
}

export function isAllowed(ctx: SandboxContext, caller: string, method: string, urlPath: string, objOwner: string, selfId = ''): boolean {
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
  if (user && method === 'POST' && urlPath === '/api/update-user' && selfId === caller) return true;
  if (subOwner === 'app-dcr') return DCR_ALLOWED.includes(urlPath);
  return PUBLIC.some(([m, p]) => (m === '*' || m === method) && p === urlPath);
}

export function apiFilter(ctx: SandboxContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = callerOf(c);
    c.set('caller', caller);
    const owner = objectOwner(c);
    if (typeof owner !== 'string') return c.json(filterError(owner.error));
    if (!isAllowed(ctx, caller, c.req.method, urlPathOf(c.req.path), owner, c.req.query('id') ?? '')) {
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
