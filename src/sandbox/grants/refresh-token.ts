// grant_type=refresh_token (object/token_oauth.go RefreshToken): the old token is revoked in the
// token store once the new one is issued.
import { fail } from '../envelope.js';
import { findTokenByRefreshToken } from '../store.js';
import { getId } from '../util.js';
import { issue, tokenError, type Grant } from './shared.js';

export const refreshGrant: Grant = async (c, ctx, app, p) => {
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
};
