// object/wellknown_oidc_discovery.go and wellknown_oauth_prm.go. The issuer is always the
// configured origin (Casdoor's `origin` setting), never derived from the Host header.
import type { Hono } from 'hono';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { GRANT_TYPES } from './grants/index.js';
import { route } from './routes.js';
import { getApplication } from './store.js';

// Each endpoint is advertised only while a handler serves it (the route table knows which).
const ENDPOINTS: Array<[string, 'GET' | 'POST', string]> = [
  ['authorization_endpoint', 'GET', '/login/oauth/authorize'],
  ['token_endpoint', 'POST', '/api/login/oauth/access_token'],
  ['userinfo_endpoint', 'GET', '/api/userinfo'],
  ['device_authorization_endpoint', 'POST', '/api/device-auth'],
  ['registration_endpoint', 'POST', '/api/oauth/register'],
  ['introspection_endpoint', 'POST', '/api/login/oauth/introspect'],
  ['end_session_endpoint', 'GET', '/api/logout'],
];

export function discovery(ctx: SandboxContext, appScopes: string[] = [], jwksPath = '/.well-known/jwks'): Record<string, unknown> {
  const origin = ctx.origin();
  const endpoints = Object.fromEntries(ENDPOINTS.filter(([, method, path]) => ctx.routes.serves(method, path)).map(([field, , path]) => [field, `${origin}${path}`]));
  const authorize = ctx.routes.serves('GET', '/login/oauth/authorize');
  return {
    issuer: origin,
    ...endpoints,
    jwks_uri: `${origin}${jwksPath}`, // served below, globally and per application
    // authorize.ts answers only response_type=code with a PKCE S256 challenge, by a redirect with a query.
    response_types_supported: authorize ? ['code'] : [],
    response_modes_supported: authorize ? ['query'] : [],
    grant_types_supported: GRANT_TYPES.filter((g) => g !== 'authorization_code' || authorize),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ctx.keys.algorithms(),
    scopes_supported: ['openid', 'email', 'profile', 'address', 'phone', 'offline_access', ...appScopes],
    ...(authorize ? { code_challenge_methods_supported: ['S256'] } : {}),
    claims_supported: ['iss', 'ver', 'sub', 'aud', 'iat', 'exp', 'id', 'type', 'displayName', 'avatar',
      'permanentAvatar', 'email', 'phone', 'location', 'affiliation', 'title', 'homepage', 'bio', 'tag',
      'region', 'language', 'score', 'ranking', 'isOnline', 'isAdmin', 'isForbidden', 'signupApplication', 'ldap'],
    // dpop.ts verifies proofs with jose, which takes any of these.
    dpop_signing_alg_values_supported: ['RS256', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'],
  };
}

export function registerWellKnown(app: Hono<AppEnv>, ctx: SandboxContext): void {
  const global = (): Record<string, unknown> => discovery(ctx);
  const get = (path: string, handler: (c: Ctx) => Response): void => route(app, ctx.routes, 'GET', path, { shape: 'one', anyone: true }, handler);
  get('/.well-known/openid-configuration', (c) => c.json(global()));
  get('/.well-known/oauth-authorization-server', (c) => c.json(global()));
  get('/.well-known/jwks', (c) => c.json(ctx.keys.jwks()));
  get('/.well-known/oauth-protected-resource', (c) => {
    const origin = ctx.origin();
    return c.json({
      resource: origin, authorization_servers: [origin], bearer_methods_supported: ['header'],
      scopes_supported: ['openid', 'profile', 'email', 'read', 'write'], resource_signing_alg_values_supported: ['RS256'],
    });
  });
  // Per-application variants: the app's scope names are appended to scopes_supported.
  const perApp = (name: string): Record<string, unknown> => {
    const found = getApplication(ctx.store, 'admin', name);
    const scopes = (found?.scopes ?? []).map((s) => s.name).filter(Boolean);
    return discovery(ctx, scopes, `/.well-known/${name}/jwks`);
  };
  app.get('/.well-known/:application/openid-configuration', (c) => c.json(perApp(c.req.param('application'))));
  app.get('/.well-known/:application/oauth-authorization-server', (c) => c.json(perApp(c.req.param('application'))));
  // Only the application's own certificate (cert-built-in when unset, and for an unknown application).
  app.get('/.well-known/:application/jwks', (c) => {
    const found = getApplication(ctx.store, 'admin', c.req.param('application'));
    return c.json(ctx.keys.jwks(found?.cert || 'cert-built-in'));
  });
}
