// OAuth/OIDC endpoints: controllers/token.go and object/token_oauth*.go, plus the well-known documents.
import type { Hono } from 'hono';
import { basicAuth, jsonBody, param } from './context.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { fail } from './envelope.js';
import { findTokenByAccessToken, findTokenByRefreshToken, getApplication, getApplicationByClientId, getUserByFields } from './store.js';
import { checkPassword } from './auth.js';
import { authorizationCodeGrant } from './code-grant.js';
import type { Application, TokenRecord, User } from './types.js';
import { getId } from './util.js';
import { route } from './routes.js';

type TokenError = { error: string; error_description?: string };

export function tokenError(c: Ctx, error: string, description = ''): Response {
  const body: TokenError = description ? { error, error_description: description } : { error };
  if (error === 'invalid_client') {
    c.header('WWW-Authenticate', 'Basic realm="OAuth2"');
    return c.json(body, 401);
  }
  return c.json(body, 400);
}

// IsScopeValidAndExpand: apps without scopes accept anything; otherwise exact names or regexes.
export function expandScope(scope: string, app: Application): string | null {
  const allowed = (app.scopes ?? []).map((s) => s.name);
  if (allowed.length === 0 || scope === '') return scope;
  const out: string[] = [];
  for (const s of scope.split(/\s+/).filter(Boolean)) {
    if (allowed.includes(s)) {
      if (!out.includes(s)) out.push(s);
      continue;
    }
    if (!/[.*+?^${}()|[\]\\]/.test(s)) return null;
    let re: RegExp;
    try {
      re = new RegExp(`^${s}$`);
    } catch {
      return null;
    }
    const matched = allowed.filter((name) => re.test(name));
    if (matched.length === 0) return null;
    for (const name of matched) if (!out.includes(name)) out.push(name);
  }
  return out.join(' ');
}

/** The token endpoint's answer for a stored token row. */
export function tokenResponse(c: Ctx, row: TokenRecord): Response {
  return c.json(wrapper(row));
}

function wrapper(row: TokenRecord): Record<string, unknown> {
  // Casdoor returns the access token as id_token too (object/token_oauth.go TokenWrapper).
  return {
    access_token: row.accessToken, id_token: row.accessToken, refresh_token: row.refreshToken,
    token_type: row.tokenType, expires_in: row.expiresIn, scope: row.scope,
  };
}

interface TokenParams { [key: string]: string }

function readTokenParams(c: Ctx): TokenParams {
  const names = ['client_id', 'client_secret', 'grant_type', 'code', 'code_verifier', 'scope', 'nonce',
    'username', 'password', 'refresh_token', 'resource', 'redirect_uri'];
  const p: TokenParams = {};
  for (const n of names) p[n] = param(c, n);
  if (!p.client_id && !p.client_secret) {
    const basic = basicAuth(c);
    if (basic) Object.assign(p, { client_id: basic.id, client_secret: basic.secret });
  }
  const body = jsonBody(c);
  if (body) {
    // controllers.TokenRequest json names (the verifier is "code_verifier" there too)
    for (const n of names) {
      const v = body[n];
      if (!p[n] && typeof v === 'string') p[n] = v;
    }
  }
  return p;
}

async function passwordGrant(c: Ctx, ctx: SandboxContext, app: Application, p: TokenParams): Promise<Response> {
  const scope = expandScope(p.scope ?? '', app);
  if (scope === null) return tokenError(c, 'invalid_scope', 'the requested scope is invalid or not defined in the application');
  // "org/name" is accepted for the app's own organization, and for any organization through an
  // application of built-in, as Casdoor's sign-in page allows (a sandbox convenience for the grant).
  let username = p.username ?? '';
  let organization = app.organization;
  const slash = username.indexOf('/');
  if (slash > 0 && (username.slice(0, slash) === app.organization || app.organization === 'built-in')) {
    organization = username.slice(0, slash);
    username = username.slice(slash + 1);
  }
  const user = getUserByFields(ctx.store, organization, username);
  if (!user) return tokenError(c, 'invalid_grant', 'the user does not exist');
  if (user.password === '') {
    return tokenError(c, 'invalid_grant', 'OAuth users cannot use password grant type, please use authorization code flow');
  }
  const error = checkPassword(ctx, user, p.password ?? '');
  if (error) return tokenError(c, 'invalid_grant', `invalid username or password: ${error}`);
  if (user.isForbidden) return tokenError(c, 'invalid_grant', 'the user is forbidden to sign in, please contact the administrator');
  return issue(c, ctx, app, user, scope, true);
}

async function issue(c: Ctx, ctx: SandboxContext, app: Application, user: User | null, scope: string, withRefresh: boolean, audience?: string[]): Promise<Response> {
  try {
    const row = await ctx.store.tokens.issue(ctx, { app, user, scope, withRefresh, ...(audience ? { audience } : {}) });
    return c.json(wrapper(row));
  } catch (err) {
    return tokenError(c, 'endpoint_error', `generate jwt token error: ${(err as Error).message}`);
  }
}

async function refreshGrant(c: Ctx, ctx: SandboxContext, app: Application, p: TokenParams): Promise<Response> {
  if (p.client_secret && app.clientSecret !== p.client_secret) return tokenError(c, 'invalid_client', 'client_secret is invalid');
  const row = findTokenByRefreshToken(ctx.store, p.refresh_token ?? '');
  if (!row) return tokenError(c, 'invalid_grant', 'refresh token is invalid or revoked');
  if (ctx.store.tokens.state(row)) return tokenError(c, 'invalid_grant', 'refresh token is expired');
  if (app.name !== row.application) {
    return tokenError(c, 'invalid_grant', `the token is for wrong application (client_id), application.Name: [${app.name}], token.Application: [${row.application}]`);
  }
  const claims = await ctx.keys.verify(p.refresh_token ?? '', ctx.clock());
  if (!claims) return tokenError(c, 'invalid_grant', 'parse refresh token error: token signature is invalid or token has expired');
  // Unlike Casdoor, a refresh never widens the grant: a requested scope must be part of the granted one.
  const granted = String(claims.scope ?? '').split(' ').filter(Boolean);
  const scope = p.scope || granted.join(' ');
  if (p.scope && !p.scope.split(/\s+/).filter(Boolean).every((s) => granted.includes(s))) {
    return tokenError(c, 'invalid_scope', 'the requested scope exceeds the scope originally granted');
  }
  // The new token keeps the audience (the RFC 8707 resource) of the one it replaces.
  const audience = Array.isArray(claims.aud) ? claims.aud.map(String) : typeof claims.aud === 'string' ? [claims.aud] : undefined;
  const user = ctx.store.users.get(getId(row.organization, row.user));
  if (!user) return c.json(fail(`The user: ${getId(row.organization, row.user)} doesn't exist`));
  if (user.isForbidden) return tokenError(c, 'invalid_grant', 'the user is forbidden to sign in, please contact the administrator');
  const response = await issue(c, ctx, app, user, scope, true, audience);
  if (response.status === 200) ctx.store.tokens.revoke(row.accessToken);
  return response;
}

/** The grants the token endpoint serves (discovery's grant_types_supported). */
export const GRANT_TYPES = ['authorization_code', 'password', 'client_credentials', 'refresh_token'] as const;

async function accessToken(c: Ctx, ctx: SandboxContext): Promise<Response> {
  const p = readTokenParams(c);
  const app = getApplicationByClientId(ctx.store, p.client_id ?? '');
  if (!app) return tokenError(c, 'invalid_client', 'client_id is invalid');
  const grant = p.grant_type ?? '';
  if (!(GRANT_TYPES as readonly string[]).includes(grant)) {
    return tokenError(c, 'unsupported_grant_type', `grant_type: ${grant} is not supported in this application`);
  }
  if (grant !== 'authorization_code' && !(app.grantTypes ?? []).includes(grant)) {
    return tokenError(c, 'unsupported_grant_type', `grant_type: ${grant} is not supported in this application`);
  }
  switch (grant) {
    case 'client_credentials': {
      if (app.clientSecret !== p.client_secret) return tokenError(c, 'invalid_client', 'client_secret is invalid');
      const scope = expandScope(p.scope ?? '', app);
      if (scope === null) return tokenError(c, 'invalid_scope', 'the requested scope is invalid or not defined in the application');
      return issue(c, ctx, app, null, scope, false);
    }
    case 'password':
      return passwordGrant(c, ctx, app, p);
    case 'refresh_token':
      return refreshGrant(c, ctx, app, p);
    case 'authorization_code':
      return authorizationCodeGrant(c, ctx, app, p);
    default:
      return tokenError(c, 'unsupported_grant_type', `grant_type: ${grant} is not supported in this application`);
  }
}

// ValidateOAuth: client_id/client_secret from the form or JSON body, else HTTP Basic.
function validateClient(c: Ctx, ctx: SandboxContext, ignoreSecret: boolean): Application | Response {
  let id = param(c, 'client_id');
  let secret = param(c, 'client_secret');
  if (!id) {
    const body = jsonBody(c);
    if (body) {
      id = typeof body.client_id === 'string' ? body.client_id : '';
      secret = typeof body.client_secret === 'string' ? body.client_secret : '';
    }
  }
  if (!id && !secret) {
    const basic = basicAuth(c);
    if (!basic) return tokenError(c, 'invalid_request');
    ({ id, secret } = basic);
  }
  const app = getApplicationByClientId(ctx.store, id);
  if (!app || (!ignoreSecret && app.clientSecret !== secret)) {
    return tokenError(c, 'invalid_client', 'Invalid application or wrong clientSecret');
  }
  return app;
}

async function introspect(c: Ctx, ctx: SandboxContext): Promise<Response> {
  const app = validateClient(c, ctx, false);
  if (app instanceof Response) return app;
  const token = param(c, 'token');
  const hint = param(c, 'token_type_hint');
  const inactive = (): Response => c.json({ active: false });
  const lookup = (kind: string): TokenRecord | undefined => (kind === 'access_token' || kind === 'access-token'
    ? findTokenByAccessToken(ctx.store, token)
    : kind === 'refresh_token' || kind === 'refresh-token' ? findTokenByRefreshToken(ctx.store, token) : undefined);
  let row = hint ? lookup(hint) : undefined;
  if (hint && (!row || ctx.store.tokens.state(row))) return inactive();
  const claims = await ctx.keys.verify(token, ctx.clock());
  if (!claims) return inactive();
  const standard = app.tokenFormat === 'JWT-Standard';
  const username = String((standard ? claims.preferred_username : claims.name) ?? '');
  const tokenType = String(claims.tokenType ?? '');
  if (!hint) row = lookup(tokenType);
  if (!row || ctx.store.tokens.state(row)) return inactive();
  if (row.grantType !== 'client_credentials' && row.user !== '') {
    const user = ctx.store.users.get(getId(row.organization, row.user));
    if (!user || user.isForbidden || user.isDeleted) return inactive();
  }
  const owner = getApplication(ctx.store, row.owner, row.application);
  if (!owner) return c.json(fail(`The application: ${row.application} does not exist`));
  const body: Record<string, unknown> = { active: true };
  if (claims.scope) body.scope = claims.scope;
  body.client_id = owner.clientId;
  if (username) body.username = username;
  body.token_type = row.tokenType;
  if (row.dPoPJkt) body.cnf = { jkt: row.dPoPJkt };
  Object.assign(body, { exp: claims.exp, iat: claims.iat, nbf: claims.nbf, sub: claims.sub, aud: claims.aud, iss: claims.iss, jti: claims.jti });
  for (const key of Object.keys(body)) if (body[key] === undefined || body[key] === '') delete body[key];
  return c.json(body);
}

export function registerOAuth(app: Hono<AppEnv>, ctx: SandboxContext): void {
  // `p, *, *, *, /api/login/oauth`: the token endpoints authenticate the client themselves.
  ctx.routes.declare('*', '/api/login/oauth/*', { shape: 'write', anyone: true, dcr: true });
  const access = { shape: 'write', anyone: true, dcr: true } as const;
  route(app, ctx.routes, 'POST', '/api/login/oauth/access_token', access, (c) => accessToken(c, ctx));
  route(app, ctx.routes, 'POST', '/api/login/oauth/refresh_token', access, async (c) => {
    const client = validateClient(c, ctx, true);
    if (client instanceof Response) return client;
    const p = readTokenParams(c);
    if (p.grant_type !== 'refresh_token') return tokenError(c, 'unsupported_grant_type', 'grant_type should be refresh_token');
    return refreshGrant(c, ctx, client, p);
  });
  route(app, ctx.routes, 'POST', '/api/login/oauth/introspect', access, (c) => introspect(c, ctx));
}
