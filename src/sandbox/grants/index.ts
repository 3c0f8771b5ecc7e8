// The grants the token endpoint serves, one module each over the one token store. A new grant is
// one module and one line here; discovery advertises what this table holds.
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { passwordGrant } from './password.js';
import { refreshGrant } from './refresh-token.js';
import type { Grant } from './shared.js';

export const GRANTS: Readonly<Record<string, Grant>> = {
  authorization_code: authorizationCodeGrant,
  password: passwordGrant,
  client_credentials: clientCredentialsGrant,
  refresh_token: refreshGrant,
};

export const GRANT_TYPES: readonly string[] = Object.keys(GRANTS);
