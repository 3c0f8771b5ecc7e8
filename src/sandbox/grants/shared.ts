// What every grant shares: the token endpoint's error and success answers, scope expansion and
// issuing a token into the one token store (token-store.ts), whose rows every bearer lookup reads.
import type { Ctx, SandboxContext } from '../context.js';
import type { Application, TokenRecord, User } from '../types.js';

/** The token endpoint's parameters, from the form, Basic auth or a JSON body. */
export interface TokenParams { [key: string]: string }

/** A grant: answers grant_type=<its name> for a client application already looked up. */
export type Grant = (c: Ctx, ctx: SandboxContext, app: Application, p: TokenParams) => Response | Promise<Response>;

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

export function wrapper(row: TokenRecord): Record<string, unknown> {
  // Casdoor returns the access token as id_token too (object/token_oauth.go TokenWrapper).
  return {
    access_token: row.accessToken, id_token: row.accessToken, refresh_token: row.refreshToken,
    token_type: row.tokenType, expires_in: row.expiresIn, scope: row.scope,
  };
}

export async function issue(c: Ctx, ctx: SandboxContext, app: Application, user: User | null, scope: string, withRefresh: boolean, audience?: string[]): Promise<Response> {
  try {
    const row = await ctx.store.tokens.issue(ctx, { app, user, scope, withRefresh, ...(audience ? { audience } : {}) });
    return c.json(wrapper(row));
  } catch (err) {
    return tokenError(c, 'endpoint_error', `generate jwt token error: ${(err as Error).message}`);
  }
}
