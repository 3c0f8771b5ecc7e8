// Session login: controllers/auth.go Login/HandleLoggedIn, controllers/account.go GetAccount/Logout.
import type { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { checkUserPassword, clearSessionUser, isAdminOrSelf, isGlobalAdmin, SESSION_COOKIE, setSessionUser } from './auth.js';
import { accountView } from './users.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { fail, ok, PLEASE_LOGIN } from './envelope.js';
import { maskOrganization, maskUser } from './masking.js';
import { ORGANIZATION, present, USER } from './schema.js';
import { getApplication, getApplicationByUser, getOrganization } from './store.js';
import { getId, isRecord, parseJson, rfc3339 } from './util.js';
import { route } from './routes.js';

export interface LoginForm {
  application: string;
  organization: string;
  username: string;
  password: string;
  type: string;
}

// The password branch of Login followed by HandleLoggedIn; returns the user id or an error message.
export function performLogin(ctx: SandboxContext, form: LoginForm): { userId: string } | { error: string } {
  const app = getApplication(ctx.store, 'admin', form.application);
  if (!app) return { error: `The application: ${form.application} does not exist` };
  const result = checkUserPassword(ctx, form.organization, form.username, form.password);
  if (typeof result === 'string') return { error: result };
  const user = result;
  if (user.isForbidden) return { error: 'The user is forbidden to sign in, please contact the administrator' };
  if (user.isDeleted) return { error: 'The user has been deleted and cannot be used to sign in, please contact the administrator' };
  if (app.disableSignin) return { error: `The application: ${app.name} has disabled users to signin` };
  if (getOrganization(ctx.store, app.organization)?.disableSignin) {
    return { error: `The organization: ${app.organization} has disabled users to signin` };
  }
  const tags = app.tags ?? [];
  if (user.owner !== 'built-in' && !user.isAdmin && tags.length > 0 && !user.tag.split(',').some((t) => tags.includes(t.trim()))) {
    return { error: `User's tag: ${user.tag} is not listed in the application's tags` };
  }
  if (form.type !== 'login') return { error: `unknown response type: ${form.type}` };
  user.lastSigninTime = rfc3339(ctx.clock());
  return { userId: getId(user.owner, user.name) };
}

function str(body: Record<string, unknown>, key: string): string {
  return typeof body[key] === 'string' ? body[key] : '';
}

function login(c: Ctx, ctx: SandboxContext): Response {
  const parsed = parseJson(c.get('raw'));
  if (!parsed.ok) return c.json(fail(parsed.error));
  const body = isRecord(parsed.value) ? parsed.value : {};
  const form: LoginForm = {
    application: str(body, 'application'), organization: str(body, 'organization'),
    username: str(body, 'username'), password: str(body, 'password'), type: str(body, 'type'),
  };
  if (form.username === '') {
    return c.json(fail(`Unknown authentication type (not password or provider), form = ${JSON.stringify(body)}`));
  }
  if (form.password === '') return c.json(fail('The verification code has not been sent yet!'));
  const result = performLogin(ctx, form);
  if ('error' in result) return c.json(fail(result.error));
  const existing = c.get('session');
  setSessionUser(c, ctx, result.userId); // a fresh session already sends its cookie
  if (existing) setCookie(c, SESSION_COOKIE, existing.id, { path: '/', httpOnly: true, maxAge: 30 * 24 * 3600 });
  return c.json(ok(result.userId));
}

function logout(c: Ctx, ctx: SandboxContext): Response {
  const user = c.get('caller');
  if (user === '') return c.json(ok());
  const session = c.get('session');
  clearSessionUser(c);
  if (session) ctx.store.sessions.delete(session.id); // SessionRegenerateID drops the old id
  return c.json(ok(user));
}

async function getAccount(c: Ctx, ctx: SandboxContext): Promise<Response> {
  const caller = c.get('caller');
  if (caller === '') return c.json(fail(PLEASE_LOGIN, PLEASE_LOGIN));
  let userId = caller;
  if (caller.startsWith('app/') && c.req.query('userId')) userId = c.req.query('userId') ?? '';
  const user = ctx.store.users.get(userId);
  if (!user) {
    clearSessionUser(c);
    return c.json(fail(`The user: ${userId} doesn't exist`));
  }
  const org = getOrganization(ctx.store, user.owner);
  const organization = org ? maskOrganization(present(ORGANIZATION, org), isGlobalAdmin(ctx, caller)) : null;
  const data = accountView(ctx, user, maskUser(present(USER, user), isAdminOrSelf(ctx, caller, user)));
  const codes = organization?.countryCodes;
  if (Array.isArray(codes) && codes.length === 1 && data.countryCode === '') data.countryCode = codes[0];
  const session = c.get('session');
  let accessToken = session?.accessToken ?? '';
  if (!accessToken) {
    const app = getApplicationByUser(ctx.store, user);
    if (!app) return c.json(fail(`the application for user ${user.id} is not found`));
    accessToken = (await ctx.store.tokens.issue(ctx, { app, user, scope: 'profile', withRefresh: true })).accessToken;
    if (session) session.accessToken = accessToken;
  }
  data.accessToken = accessToken;
  return c.json({ status: 'ok', msg: '', sub: user.id, name: user.name, data, data2: organization, data3: null });
}

export function registerAccounts(app: Hono<AppEnv>, ctx: SandboxContext): void {
  const anyone = { anyone: true } as const;
  route(app, ctx.routes, 'POST', '/api/login', { shape: 'write', ...anyone }, (c) => login(c, ctx));
  route(app, ctx.routes, 'POST', '/api/logout', { shape: 'write', ...anyone }, (c) => logout(c, ctx));
  route(app, ctx.routes, 'GET', '/api/logout', { shape: 'one', ...anyone }, (c) => logout(c, ctx));
  route(app, ctx.routes, 'GET', '/api/get-account', { shape: 'one', ...anyone }, (c) => getAccount(c, ctx));
}
