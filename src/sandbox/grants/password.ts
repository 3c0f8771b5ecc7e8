// grant_type=password (object/token_oauth.go GetPasswordToken).
import { checkPassword } from '../auth.js';
import { getUserByFields } from '../store.js';
import { expandScope, issue, tokenError, type Grant } from './shared.js';

export const passwordGrant: Grant = async (c, ctx, app, p) => {
  const scope = expandScope(p.scope ?? '', app);
  if (scope === null) return tokenError(c, 'invalid_scope', 'the requested scope is invalid or not defined in the application');
  // "org/name" is accepted for the app's own organization, and for any organization through an
  // application of built-in, as Casdoor's sign-in page allows (a sandbox convenience for the grant).
  let username = p.username ?? '';
  let organization = app.organization;
  const slash = username.indexOf('/');
  if (slash > 0 && (username.slice(0, slash) === app.organization || app.organization === 'built-in')) {
    organization = username.slice(0, slash);
    username = username.slice(slash + 1);
  }
  const user = getUserByFields(ctx.store, organization, username);
  if (!user) return tokenError(c, 'invalid_grant', 'the user does not exist');
  if (user.password === '') {
    return tokenError(c, 'invalid_grant', 'OAuth users cannot use password grant type, please use authorization code flow');
  }
  const error = checkPassword(ctx, user, p.password ?? '');
  if (error) return tokenError(c, 'invalid_grant', `invalid username or password: ${error}`);
  if (user.isForbidden) return tokenError(c, 'invalid_grant', 'the user is forbidden to sign in, please contact the administrator');
  return issue(c, ctx, app, user, scope, true);
};
