// /login/oauth/authorize: the sign-in page, the consent page and the authorization code, as Casdoor's
// login page (POST /api/login type "code", then /api/grant-consent) does it, but without its
// weaknesses: the code is bound to the PKCE challenge, the redirect URI, the resource and the client
// it was issued for, and PKCE S256 is required.
import type { Hono } from 'hono';
import { performLogin } from './accounts.js';
import type { AppEnv, Ctx, SandboxContext } from './context.js';
import { expandScope } from './grants/shared.js';
import { consentPage, errorPage, signinPage, type ConsentScope } from './pages.js';
import { redirectUriAllowed } from './redirect.js';
import { getApplicationByClientId, getOrganization } from './store.js';
import type { Application } from './types.js';
import { randomHex } from './util.js';
import { route } from './routes.js';

/** What the client asked for, checked; carried through both pages. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  nonce: string;
  codeChallenge: string;
  resource: string;
}

export interface IssuedCode extends AuthorizationRequest {
  application: string; // the client's application name
  user: string; // "org/name"
  expiresAt: number;
  /** Set once exchanged: a second exchange is refused and names the token. */
  usedFor?: string;
}

interface Ticket extends AuthorizationRequest {
  user: string;
  expiresAt: number;
}

const CODE_TTL_MS = 5 * 60_000;
const TICKET_TTL_MS = 10 * 60_000;
const MAX_PENDING = 10_000;

/** Pending consents and issued codes of one sandbox (not saved: they live minutes). */
interface State { tickets: Map<string, Ticket>; codes: Map<string, IssuedCode> }
const states = new WeakMap<SandboxContext, State>();
export function authorizationState(ctx: SandboxContext): State {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { tickets: new Map(), codes: new Map() }));
  return s;
}

function bounded<T extends { expiresAt: number }>(map: Map<string, T>, now: number): void {
  for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k);
  while (map.size >= MAX_PENDING) map.delete(map.keys().next().value!);
}

const FIELDS = ['client_id', 'response_type', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'resource'] as const;

function readRequest(get: (name: string) => string): Record<(typeof FIELDS)[number], string> {
  return Object.fromEntries(FIELDS.map((f) => [f, get(f)])) as Record<(typeof FIELDS)[number], string>;
}

function redirectTo(uri: string, params: Record<string, string>): Response {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v) url.searchParams.set(k, v);
  return new Response(null, { status: 302, headers: { Location: url.toString(), 'Cache-Control': 'no-store' } });
}

const html = (c: Ctx, body: string, status: 200 | 400 = 200): Response => {
  c.header('Cache-Control', 'no-store');
  // The pages must not be framed (clickjacking the Allow button).
  c.header('X-Frame-Options', 'DENY');
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'");
  return c.html(body, status);
};

type Checked = { app: Application; request: AuthorizationRequest } | { page: Response } | { redirect: Response };

/** RFC 6749 4.1.2.1: a bad client or redirect URI is shown to the user, anything else goes back to the client. */
function check(c: Ctx, ctx: SandboxContext, q: Record<(typeof FIELDS)[number], string>): Checked {
  const app = getApplicationByClientId(ctx.store, q.client_id);
  if (!app) return { page: html(c, errorPage('Sign-in failed', `Invalid client_id: ${q.client_id || '(none)'}`), 400) };
  if (!redirectUriAllowed(app, q.redirect_uri)) {
    return { page: html(c, errorPage('Sign-in failed', `Redirect URI: ${q.redirect_uri} doesn't exist in the allowed Redirect URI list`), 400) };
  }
  const back = (error: string, description: string): Checked => ({ redirect: redirectTo(q.redirect_uri, { error, error_description: description, state: q.state }) });
  if (q.response_type !== 'code') return back('unsupported_response_type', 'only response_type=code is supported');
  if (!q.code_challenge || q.code_challenge_method !== 'S256') return back('invalid_request', 'PKCE is required: code_challenge with code_challenge_method=S256');
  if (!/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge)) return back('invalid_request', 'code_challenge must be a base64url SHA-256 (43 characters)');
  if (q.resource && (!URL.canParse(q.resource) || new URL(q.resource).hash)) return back('invalid_target', 'resource must be an absolute URI without a fragment');
  const scope = expandScope(q.scope, app);
  if (scope === null) return back('invalid_scope', 'the requested scope is invalid or not defined in the application');
  return {
    app,
    request: { clientId: app.clientId, redirectUri: q.redirect_uri, scope, state: q.state, nonce: q.nonce, codeChallenge: q.code_challenge, resource: q.resource },
  };
}

/** The scope's name and description as the consent screen shows them: the client's customScopes, else those of the MCP application defining it. */
function describeScopes(ctx: SandboxContext, app: Application, scope: string): ConsentScope[] {
  const names = scope.split(' ').filter(Boolean);
  const catalogue = new Map<string, ConsentScope>();
  const add = (items: unknown, key: 'scope' | 'name') => {
    for (const it of Array.isArray(items) ? (items as Record<string, unknown>[]) : []) {
      const name = String(it?.[key] ?? '');
      if (name && !catalogue.has(name)) catalogue.set(name, { name, displayName: String(it.displayName || name), description: String(it.description ?? '') });
    }
  };
  add(app.customScopes, 'scope');
  add(app.scopes, 'name');
  for (const other of ctx.store.applications.values()) if (other.type === 'MCP') add(other.customScopes, 'scope');
  for (const other of ctx.store.applications.values()) if (other.type === 'MCP') add(other.scopes, 'name');
  return names.map((n) => catalogue.get(n) ?? { name: n, displayName: n, description: '' });
}

function signin(c: Ctx, ctx: SandboxContext, app: Application, request: Record<string, string>, error?: string, username?: string): Response {
  return html(c, signinPage({ application: String(app.displayName || app.name), organization: app.organization, request, ...(error ? { error } : {}), ...(username ? { username } : {}) }), error ? 400 : 200);
}

/** "org/name", or a name of the application's organization. Other organizations only through a built-in application, as in Casdoor. */
function splitUsername(ctx: SandboxContext, app: Application, username: string): { organization: string; name: string } | string {
  const slash = username.indexOf('/');
  if (slash < 0) return { organization: app.organization, name: username };
  const organization = username.slice(0, slash);
  if (organization !== app.organization && app.organization !== 'built-in') return `Users of ${organization} cannot sign in to ${app.name}`;
  if (!getOrganization(ctx.store, organization)) return `The organization: ${organization} does not exist`;
  return { organization, name: username.slice(slash + 1) };
}

export function registerAuthorize(app: Hono<AppEnv>, ctx: SandboxContext): void {
  const page = { shape: 'one', anyone: true } as const;
  route(app, ctx.routes, 'GET', '/login/oauth/authorize', page, (c) => {
    const q = readRequest((n) => c.req.query(n) ?? '');
    const checked = check(c, ctx, q);
    if ('page' in checked) return checked.page;
    if ('redirect' in checked) return checked.redirect;
    return signin(c, ctx, checked.app, q);
  });

  route(app, ctx.routes, 'POST', '/login/oauth/authorize', page, (c) => {
    const form = new URLSearchParams(c.get('raw'));
    const q = readRequest((n) => form.get(n) ?? '');
    const checked = check(c, ctx, q);
    if ('page' in checked) return checked.page;
    if ('redirect' in checked) return checked.redirect;
    const { app: client, request } = checked;
    const username = (form.get('username') ?? '').trim();
    const who = splitUsername(ctx, client, username);
    if (typeof who === 'string') return signin(c, ctx, client, q, who, username);
    const result = performLogin(ctx, { application: client.name, organization: who.organization, username: who.name, password: form.get('password') ?? '', type: 'login' });
    if ('error' in result) return signin(c, ctx, client, q, result.error, username);
    const now = ctx.clock();
    const { tickets } = authorizationState(ctx);
    bounded(tickets, now);
    const ticket = randomHex(20);
    tickets.set(ticket, { ...request, user: result.userId, expiresAt: now + TICKET_TTL_MS });
    return html(c, consentPage({
      application: String(client.displayName || client.name), user: result.userId, resource: request.resource,
      scopes: describeScopes(ctx, client, request.scope), ticket,
    }));
  });

  route(app, ctx.routes, 'POST', '/login/oauth/consent', page, (c) => {
    const form = new URLSearchParams(c.get('raw'));
    const { tickets, codes } = authorizationState(ctx);
    const id = form.get('ticket') ?? '';
    const ticket = tickets.get(id);
    tickets.delete(id); // one answer per ticket
    const now = ctx.clock();
    if (!ticket || ticket.expiresAt <= now) return html(c, errorPage('Sign-in expired', 'This sign-in is no longer valid. Go back to the application and start again.'), 400);
    const client = getApplicationByClientId(ctx.store, ticket.clientId);
    if (!client) return html(c, errorPage('Sign-in failed', 'The application no longer exists.'), 400);
    if (form.get('decision') !== 'allow') return redirectTo(ticket.redirectUri, { error: 'access_denied', error_description: 'the user denied the request', state: ticket.state });
    bounded(codes, now);
    const code = randomHex(10);
    const { user, clientId, redirectUri, scope, state, nonce, codeChallenge, resource } = ticket;
    codes.set(code, { clientId, redirectUri, scope, state, nonce, codeChallenge, resource, application: client.name, user, expiresAt: now + CODE_TTL_MS });
    return redirectTo(ticket.redirectUri, { code, state: ticket.state });
  });
}
