// grant_type=authorization_code at /api/login/oauth/access_token. Unlike Casdoor, every binding of the
// code is enforced: the client, the redirect URI, the PKCE verifier and the resource.
import { createHash } from 'node:crypto';
import { authorizationState } from '../authorize.js';
import { getId } from '../util.js';
import { tokenError, tokenResponse, type Grant } from './shared.js';

const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

export const authorizationCodeGrant: Grant = async (c, ctx, app, p) => {
  const { codes } = authorizationState(ctx);
  const code = codes.get(p.code ?? '');
  const invalid = () => tokenError(c, 'invalid_grant', `authorization code: ${p.code ?? ''} is invalid`);
  if (!code || code.expiresAt <= ctx.clock()) return invalid();
  if (code.usedFor) return tokenError(c, 'invalid_grant', `authorization code has been used for token: [${code.usedFor}]`);
  if (code.clientId !== app.clientId) return invalid();
  // A client that got a secret must use it; one without (PKCE only) is a public client.
  if (p.client_secret && p.client_secret !== app.clientSecret) return tokenError(c, 'invalid_client', 'client_secret is invalid');
  if ((p.redirect_uri ?? '') !== code.redirectUri) return tokenError(c, 'invalid_grant', 'redirect_uri does not match the one of the authorization request');
  if (!p.code_verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(p.code_verifier) || s256(p.code_verifier) !== code.codeChallenge) {
    return tokenError(c, 'invalid_grant', 'code_verifier is invalid');
  }
  if (p.resource && p.resource !== code.resource) return tokenError(c, 'invalid_grant', 'resource does not match the one of the authorization request');
  const user = ctx.store.users.get(code.user);
  if (!user || user.isForbidden || user.isDeleted) return tokenError(c, 'invalid_grant', 'the user is forbidden to sign in, please contact the administrator');

  const row = await ctx.store.tokens.issue(ctx, {
    app, user, scope: code.scope, withRefresh: true, nonce: code.nonce, grantType: 'authorization_code',
    ...(code.resource ? { audience: [code.resource], resource: code.resource } : {}),
  });
  code.usedFor = getId(app.owner, row.name);
  return tokenResponse(c, row);
};
