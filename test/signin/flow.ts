// The browser's part of the sandbox sign-in, done with plain HTTP: fill the sign-in form, read the
// consent page, answer it. Used where the test is about the authorization server, not the browser.
import { createHash, randomBytes } from 'node:crypto';

export interface Client { client_id: string; client_secret?: string; redirect_uris: string[] }

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function register(casdoor: string, metadata: Record<string, unknown>, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${casdoor}/api/oauth/register${query}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(metadata) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export interface AuthorizeParams {
  client_id: string;
  redirect_uri: string;
  scope: string;
  resource?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  response_type?: string;
}

export const authorizeUrl = (casdoor: string, p: AuthorizeParams): string =>
  `${casdoor}/login/oauth/authorize?${new URLSearchParams({ response_type: 'code', code_challenge_method: 'S256', ...p } as Record<string, string>)}`;

/** Every hidden field of the page's form, as the browser would send them. */
export function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) out[unescape(m[1]!)] = unescape(m[2]!);
  return out;
}

const form = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

export interface SignIn { signinStatus: number; consentHtml: string; ticket: string }

/** Opens the authorization URL and submits the sign-in form; returns the consent page. */
export async function signIn(url: string, username: string, password: string): Promise<SignIn & { response: Response }> {
  const page = await fetch(url, { redirect: 'manual' });
  const html = await page.text();
  const action = new URL('/login/oauth/authorize', url).toString();
  const response = await form(action, { ...hiddenFields(html), username, password });
  const consentHtml = await response.clone().text();
  return { signinStatus: page.status, consentHtml, ticket: hiddenFields(consentHtml).ticket ?? '', response };
}

/** Answers the consent page; returns where the browser is sent (the client's redirect URI with code or error). */
export async function consent(casdoor: string, ticket: string, decision: 'allow' | 'deny'): Promise<{ status: number; location: URL | undefined; body: string }> {
  const res = await form(`${casdoor}/login/oauth/consent`, { ticket, decision });
  const loc = res.headers.get('location');
  return { status: res.status, location: loc ? new URL(loc) : undefined, body: await res.text() };
}

export async function exchange(casdoor: string, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await form(`${casdoor}/api/login/oauth/access_token`, fields);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export const claims = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
