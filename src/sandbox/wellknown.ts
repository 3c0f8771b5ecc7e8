// object/wellknown_oidc_discovery.go and wellknown_oauth_prm.go. The issuer is always the
// configured origin (Casdoor's `origin` setting), never derived from the Host header.
import type { Hono } from 'hono';
import type { AppEnv, SandboxContext } from './context.js';
import { getApplication } from './store.js';

export function discovery(origin: string, appScopes: string[] = [], jwksPath = '/.well-known/jwks'): Record<string, unknown> {
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/login/oauth/authorize`,
    token_endpoint: `${origin}/api/login/oauth/access_token`,
    userinfo_endpoint: `${origin}/api/userinfo`,
    device_authorization_endpoint: `${origin}/api/device-auth`,
    registration_endpoint: `${origin}/api/oauth/register`,
    jwks_uri: `${origin}${jwksPath}`,
    introspection_endpoint: `${origin}/api/login/oauth/introspect`,
    response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token', 'none'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    grant_types_supported: ['authorization_code', 'implicit', 'password', 'client_credentials', 'refresh_token',
      'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'RS512', 'ES256', 'ES384', 'ES512'],
    scopes_supported: ['openid', 'email', 'profile', 'address', 'phone', 'offline_access', ...appScopes],
    code_challenge_methods_supported: ['S256'],
    claims_supported: ['iss', 'ver', 'sub', 'aud', 'iat', 'exp', 'id', 'type', 'displayName', 'avatar',
      'permanentAvatar', 'email', 'phone', 'location', 'affiliation', 'title', 'homepage', 'bio', 'tag',
      'region', 'language', 'score', 'ranking', 'isOnline', 'isAdmin', 'isForbidden', 'signupApplication', 'ldap'],
    request_parameter_supported: true,
    request_object_signing_alg_values_supported: ['HS256', 'HS384', 'HS512'],
    end_session_endpoint: `${origin}/api/logout`,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    dpop_signing_alg_values_supported: ['RS256', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'],
  };
}

export function registerWellKnown(app: Hono<AppEnv>, ctx: SandboxContext): void {
  const global = (): Record<string, unknown> => discovery(ctx.origin());
  app.get('/.well-known/openid-configuration', (c) => c.json(global()));
  app.get('/.well-known/oauth-authorization-server', (c) => c.json(global()));
  app.get('/.well-known/jwks', (c) => c.json(ctx.keys.jwks()));
  app.get('/.well-known/oauth-protected-resource', (c) => {
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
    return discovery(ctx.origin(), scopes, `/.well-known/${name}/jwks`);
  };
  app.get('/.well-known/:application/openid-configuration', (c) => c.json(perApp(c.req.param('application'))));
  app.get('/.well-known/:application/oauth-authorization-server', (c) => c.json(perApp(c.req.param('application'))));
  // Only the application's own certificate (cert-built-in when unset, and for an unknown application).
  app.get('/.well-known/:application/jwks', (c) => {
    const found = getApplication(ctx.store, 'admin', c.req.param('application'));
    return c.json(ctx.keys.jwks(found?.cert || 'cert-built-in'));
  });
}
