// grant_type=client_credentials (object/token_oauth.go GetClientCredentialsToken): no user, no refresh token.
import { expandScope, issue, tokenError, type Grant } from './shared.js';

export const clientCredentialsGrant: Grant = (c, ctx, app, p) => {
  if (app.clientSecret !== p.client_secret) return tokenError(c, 'invalid_client', 'client_secret is invalid');
  const scope = expandScope(p.scope ?? '', app);
  if (scope === null) return tokenError(c, 'invalid_scope', 'the requested scope is invalid or not defined in the application');
  return issue(c, ctx, app, null, scope, false);
};
