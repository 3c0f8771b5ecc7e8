// POST /api/oauth/register (RFC 7591) as Casdoor answers it: into ?organization= (default built-in),
// only when that organization's dcrPolicy is "open"; the new application is an Agent/MCP one tagged "dcr".
import type { Hono } from 'hono';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { applicationTemplate } from './defaults.js';
import { APPLICATION, decode } from './schema.js';
import { UNSAFE_SCHEMES } from './redirect.js';
import { getOrganization } from './store.js';
import type { Application } from './types.js';
import { getId, isRecord, parseJson, randomHex, rfc3339 } from './util.js';
import { route } from './routes.js';

const GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials', 'password']);
const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'none']);

function refuse(c: Ctx, error: string, description: string): Response {
  return c.json({ error, error_description: description }, 400);
}

const stringList = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);

function register(c: Ctx, ctx: SandboxContext): Response {
  const organization = c.req.query('organization') || 'built-in';
  const org = getOrganization(ctx.store, organization);
  if (!org) return refuse(c, 'invalid_client_metadata', 'organization not found');
  if (org.dcrPolicy !== 'open') return refuse(c, 'invalid_client_metadata', 'dynamic client registration is disabled for this organization');
  const parsed = parseJson(c.get('raw'));
  if (!parsed.ok || !isRecord(parsed.value)) return refuse(c, 'invalid_client_metadata', 'the body must be a JSON object');
  const body = parsed.value;
  const redirectUris = stringList(body.redirect_uris);
  if (!redirectUris || redirectUris.length === 0) return refuse(c, 'invalid_redirect_uri', 'redirect_uris is required and must contain at least one URI');
  for (const uri of redirectUris) {
    if (!URL.canParse(uri) || new URL(uri).hash || UNSAFE_SCHEMES.has(new URL(uri).protocol)) return refuse(c, 'invalid_redirect_uri', `invalid redirect URI: ${uri}`);
  }
  const grantTypes = stringList(body.grant_types) ?? ['authorization_code'];
  if (grantTypes.length === 0 || grantTypes.some((g) => !GRANTS.has(g))) return refuse(c, 'invalid_client_metadata', 'unsupported grant_types');
  const authMethod = typeof body.token_endpoint_auth_method === 'string' ? body.token_endpoint_auth_method : 'client_secret_basic';
  if (!AUTH_METHODS.has(authMethod)) return refuse(c, 'invalid_client_metadata', `unsupported token_endpoint_auth_method: ${authMethod}`);
  const clientName = typeof body.client_name === 'string' && body.client_name.trim() ? body.client_name.trim().slice(0, 100) : 'DCR client';
  const scope = typeof body.scope === 'string' ? body.scope : '';

  const now = ctx.clock();
  const name = `dcr_${randomHex(3)}`;
  const decoded = decode(APPLICATION, {
    ...applicationTemplate(), owner: 'admin', name, createdTime: rfc3339(now), displayName: clientName,
    organization, category: 'Agent', type: 'MCP', tags: ['dcr'], cert: '', scopes: [], grantTypes, redirectUris,
    clientId: randomHex(10), clientSecret: randomHex(20), enableSignUp: false,
  });
  if (!decoded.ok) return refuse(c, 'invalid_client_metadata', decoded.error);
  const app = decoded.value as unknown as Application;
  ctx.store.applications.set(getId('admin', name), app);
  const origin = ctx.origin();
  return c.json({
    client_id: app.clientId, client_secret: app.clientSecret, client_id_issued_at: Math.floor(now / 1000), client_secret_expires_at: 0,
    client_name: clientName, redirect_uris: redirectUris, grant_types: grantTypes, response_types: ['code'],
    token_endpoint_auth_method: authMethod, application_type: 'web', ...(scope ? { scope } : {}),
    registration_client_uri: `${origin}/api/oauth/register/${app.clientId}`, registration_access_token: randomHex(20),
  }, 201);
}

export function registerDcr(app: Hono<AppEnv>, ctx: SandboxContext): void {
  ctx.routes.declare('*', '/api/oauth/register/*', { shape: 'write', anyone: true });
  route(app, ctx.routes, 'POST', '/api/oauth/register', { shape: 'write', anyone: true }, (c) => register(c, ctx));
  // RFC 7592 reads are not served by Casdoor 3.158 either (every answer refuses the token).
  app.get('/api/oauth/register/:clientId', (c) => c.json({ error: 'invalid_token', error_description: 'invalid registration access token' }, 401));
}
