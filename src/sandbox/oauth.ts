// The token, refresh and introspection endpoints (controllers/token.go); each grant is a module in grants/.
import type { Hono } from 'hono';
import { basicAuth, jsonBody, param } from './context.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { GRANTS } from './grants/index.js';
import { refreshGrant } from './grants/refresh-token.js';
import { tokenError, type TokenParams } from './grants/shared.js';
import { fail } from './envelope.js';
import { findTokenByAccessToken, findTokenByRefreshToken, getApplication, getApplicationByClientId } from './store.js';
import type { Application, TokenRecord } from './types.js';
import { getId } from './util.js';
import { route } from './routes.js';

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

async function accessToken(c: Ctx, ctx: SandboxContext): Promise<Response> {
  const p = readTokenParams(c);
  const app = getApplicationByClientId(ctx.store, p.client_id ?? '');
  if (!app) return tokenError(c, 'invalid_client', 'client_id is invalid');
  const grant = p.grant_type ?? '';
  // authorization_code is always on: the code itself is bound to this client (grants/authorization-code.ts).
  if (grant !== 'authorization_code' && !(app.grantTypes ?? []).includes(grant)) {
    return tokenError(c, 'unsupported_grant_type', `grant_type: ${grant} is not supported in this application`);
  }
  const handler = Object.hasOwn(GRANTS, grant) ? GRANTS[grant] : undefined;
  if (!handler) return tokenError(c, 'unsupported_grant_type', `grant_type: ${grant} is not supported in this application`);
  return handler(c, ctx, app, p);
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
