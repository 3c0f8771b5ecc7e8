// Tokens: controllers/token.go, over the sandbox's token store (the rows the OAuth endpoints
// write and every bearer lookup reads), so deleting a row revokes the token. get-token of a
// missing id is an error, and delete-token needs the row's organization too (tokens-get-tokens.json).
import type { Family, Table } from '../family.js';
import { schema } from '../schema.js';

export const TOKEN = schema('Token', `owner name createdTime application organization user code accessToken refreshToken
  accessTokenHash refreshTokenHash expiresIn:i scope tokenType grantType codeChallenge codeIsUsed:b codeExpireIn:i
  resource dPoPJkt`);

export const tokens: Family = {
  singular: 'token',
  plural: 'tokens',
  table: 'token',
  schema: TOKEN,
  rows: (store) => store.tokens as unknown as Table,
  keyOf: (row) => String(row.accessTokenHash),
  endpoints: ['list', 'get', 'delete'],
  ownerColumn: 'organization',
  organizationFilter: { match: (row, organization) => row.organization === organization, paged: true },
  missing: (id) => `The token: ${id} does not exist`,
  deleteMatches: ['organization'],
};
