// Who is calling: routers/auto_signin_filter.go (credentials -> session user) and the
// session cookie. A credential's identity is written into the request's session, so a cookie
// sent together with Basic/Bearer auth is re-bound to that identity (setSessionUser).
import { isPasswordCorrect } from './passwords.js';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { basicAuth, bearerToken } from './context.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { filterError } from './envelope.js';
import { FAILED_SIGNIN_FROZEN_MINUTES, FAILED_SIGNIN_LIMIT } from './defaults.js';
import {
  findTokenByAccessToken, getApplication, getApplicationByClientId, getApplicationByUser,
  getOrganization, getUserByFields,
} from './store.js';
import type { SandboxAuthKind, SessionRecord, User } from './types.js';
import { checkDpopProof } from './dpop.js';
import { getId, parseTime, randomHex, rfc3339, splitId } from './util.js';

export const SESSION_COOKIE = 'casdoor_session_id';
const SESSION_MAX_AGE = 30 * 24 * 3600; // beego sessionCookieLifeTime

export function classifyAuth(c: Ctx): SandboxAuthKind {
  const header = c.req.header('authorization') ?? '';
  if (/^(bearer|dpop) /i.test(header) || c.req.query('accessToken') || c.req.query('access_token')) return 'bearer';
  if (/^basic /i.test(header)) return 'basic';
  if ((c.req.query('clientId') && c.req.query('clientSecret')) || (c.req.query('client_id') && c.req.query('client_secret'))) return 'query';
  if (getCookie(c, SESSION_COOKIE)) return 'cookie';
  return 'none';
}

export function loadSession(c: Ctx, ctx: SandboxContext): void {
  const sid = getCookie(c, SESSION_COOKIE);
  c.set('session', sid ? ctx.store.sessions.get(sid) : undefined);
}

// Unknown or missing cookie: beego starts a fresh session and sends its cookie.
export function ensureSession(c: Ctx, ctx: SandboxContext): SessionRecord {
  let session = c.get('session');
  if (!session) {
    session = { id: randomHex(16), user: '', scope: '', aud: '', accessToken: '', createdAt: ctx.clock() };
    ctx.store.sessions.set(session.id, session);
    c.set('session', session);
    setCookie(c, SESSION_COOKIE, session.id, { path: '/', httpOnly: true, maxAge: SESSION_MAX_AGE });
  }
  return session;
}

export function setSessionUser(c: Ctx, ctx: SandboxContext, user: string, oidc?: { scope: string; aud: string }): void {
  const session = ensureSession(c, ctx);
  session.user = user;
  if (oidc) {
    session.scope = oidc.scope;
    session.aud = oidc.aud;
  }
}

export function clearSessionUser(c: Ctx): void {
  const session = c.get('session');
  if (session) {
    session.user = '';
    session.accessToken = '';
  }
}

function signinLimits(ctx: SandboxContext, user: User): { limit: number; frozen: number } {
  const app = getApplicationByUser(ctx.store, user);
  return {
    limit: Number(app?.failedSigninLimit ?? 0) || FAILED_SIGNIN_LIMIT,
    frozen: Number(app?.failedSigninFrozenTime ?? 0) || FAILED_SIGNIN_FROZEN_MINUTES,
  };
}

// object.CheckPassword (by the user's password type), with the wrong-password counter and lockout.
export function checkPassword(ctx: SandboxContext, user: User, password: string): string | null {
  if (password === '') return 'Password cannot be empty';
  const { limit, frozen } = signinLimits(ctx, user);
  if (user.signinWrongTimes >= limit) {
    const minutes = frozen - Math.floor((ctx.clock() - parseTime(user.lastSigninWrongTime)) / 60000);
    if (minutes > 0) {
      return `You have entered the wrong password or code too many times, please wait for ${minutes} minutes and try again`;
    }
    user.signinWrongTimes = 0;
  }
  const org = getOrganization(ctx.store, user.owner);
  if (!org) return 'Organization does not exist';
  const master = String(org.masterPassword ?? '');
  if (isPasswordCorrect(String(user.passwordType), password, user.password, String(org.passwordSalt ?? '')) || (master !== '' && password === master)) {
    user.signinWrongTimes = 0;
    return null;
  }
  if (user.signinWrongTimes < limit) {
    user.signinWrongTimes += 1;
    if (user.signinWrongTimes >= limit) user.lastSigninWrongTime = rfc3339(ctx.clock());
  }
  const left = limit - user.signinWrongTimes;
  if (left >= 0) return `password or code is incorrect, you have ${left} remaining chances`;
  return `You have entered the wrong password or code too many times, please wait for ${frozen} minutes and try again`;
}

export function checkUserPassword(ctx: SandboxContext, organization: string, username: string, password: string): User | string {
  const user = getUserByFields(ctx.store, organization, username);
  if (!user || user.isDeleted) return `The user: ${getId(organization, username)} doesn't exist`;
  if (user.isForbidden) return 'The user is forbidden to sign in, please contact the administrator';
  const error = checkPassword(ctx, user, password);
  return error ?? user;
}

// Basic or ?clientId&clientSecret -> app/<name>. Bad Basic credentials are ignored on purpose.
function clientIdentity(c: Ctx, ctx: SandboxContext): string | { error: string } {
  const basic = basicAuth(c);
  const id = basic ? basic.id : c.req.query('clientId') ?? '';
  const secret = basic ? basic.secret : c.req.query('clientSecret') ?? '';
  if (!id || !secret) return '';
  const app = getApplicationByClientId(ctx.store, id);
  if (!app) return basic ? '' : { error: `Application not found for client ID: ${id}` };
  if (app.clientSecret !== secret) return basic ? '' : { error: `Incorrect client secret for application: ${app.name}` };
  return (app.tags ?? []).includes('dcr') ? `app-dcr/${app.name}` : `app/${app.name}`;
}

// The token row gives the caller (never the token's claims); then expiry, the user, a DPoP proof.
async function tokenIdentity(c: Ctx, ctx: SandboxContext, token: string): Promise<{ user: string; scope: string; aud: string } | { error: string }> {
  const row = findTokenByAccessToken(ctx.store, token);
  if (!row) return { error: 'Access token doesn\'t exist in database' };
  const expired = ctx.store.tokens.state(row);
  if (expired) return { error: expired };
  if (row.dPoPJkt) {
    const problem = await checkDpopProof(c, row.dPoPJkt);
    if (problem) return { error: problem };
  }
  const userId = ctx.store.tokens.userIdOf(row);
  if (userId) {
    const user = ctx.store.users.get(userId);
    if (!user || user.isForbidden || user.isDeleted) {
      return { error: 'The user is forbidden to sign in, please contact the administrator' };
    }
  }
  const app = getApplication(ctx.store, 'admin', row.application);
  if (!app) return { error: `No application is found for userId: app/${row.application}` };
  const user = row.grantType === 'client_credentials' ? `app/${row.application}` : getId(row.organization, row.user);
  return { user, scope: row.scope, aud: app.clientId };
}

export function autoSignin(ctx: SandboxContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    loadSession(c, ctx);
    if (c.req.path.startsWith('/api/login/oauth/access_token')) return next();
    const token = c.req.query('accessToken') || c.req.query('access_token') || bearerToken(c);
    if (token) {
      const found = await tokenIdentity(c, ctx, token);
      if ('error' in found) return c.json(filterError(found.error));
      setSessionUser(c, ctx, found.user, { scope: found.scope, aud: found.aud });
      c.get('session')!.accessToken = token; // get-account answers this token, it mints none
      return next();
    }
    const client = clientIdentity(c, ctx);
    if (typeof client !== 'string') return c.json(filterError(client.error));
    if (client) {
      setSessionUser(c, ctx, client);
      return next();
    }
    const accessKey = c.req.query('accessKey') ?? '';
    if (accessKey && c.req.query('accessSecret')) return c.json(filterError(`Access key not found: ${accessKey}`));
    const username = c.req.query('username') ?? '';
    const password = c.req.query('password') ?? '';
    if (username && password && !c.req.query('grant_type')) {
      const parts = splitId(username);
      if ('error' in parts) return c.json(filterError(parts.error));
      const result = checkUserPassword(ctx, parts.owner, parts.name, password);
      if (typeof result === 'string') return c.json(filterError(result));
      setSessionUser(c, ctx, username);
    }
    return next();
  };
}

export function callerOf(c: Ctx): string {
  return c.get('session')?.user ?? '';
}

export function currentUser(ctx: SandboxContext, callerId: string): User | undefined {
  return callerId ? ctx.store.users.get(callerId) : undefined;
}

// controllers/base.go isGlobalAdmin / IsAdmin / IsAdminOrSelf.
export function isGlobalAdmin(ctx: SandboxContext, callerId: string): boolean {
  if (callerId.startsWith('app/')) return true;
  return currentUser(ctx, callerId)?.owner === 'built-in';
}

export function isAdmin(ctx: SandboxContext, callerId: string): boolean {
  return isGlobalAdmin(ctx, callerId) || currentUser(ctx, callerId)?.isAdmin === true;
}

export function isAdminOrSelf(ctx: SandboxContext, callerId: string, target: User | undefined): boolean {
  if (isAdmin(ctx, callerId)) return true;
  const me = currentUser(ctx, callerId);
  return !!me && !!target && me.owner === target.owner && me.name === target.name;
}
