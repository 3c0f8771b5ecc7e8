import { getTool, listTool } from './family-reads.js';
import type { FamilySpec } from './family-spec.js';
import { deleteTool } from './family-writes.js';

/** Casdoor's issued tokens (object/token.go). The token values and codes themselves are never shown. */
export const tokenSpec: FamilySpec = {
  family: 'token',
  noun: 'token',
  plural: 'tokens',
  about: 'an issued access/refresh token pair: who, which application, which scope, when',
  example: 'admin/0a4bc7c7-4b4c-4f61-9d2f-576ff10c1b66',
  fixedOwner: 'admin',
  summary: ['createdTime', 'application', 'organization', 'user', 'scope', 'grantType', 'expiresIn'],
  secrets: [],
  hidden: ['accessToken', 'refreshToken', 'code'],
  organizationOf: (o) => String(o.organization ?? ''),
  listFilter: 'organization',
};

export const tokenTools = [
  listTool(tokenSpec),
  getTool(tokenSpec),
  // Deleting the row is revoking: Casdoor looks every bearer token up in it.
  deleteTool(tokenSpec, 'Revoke', 'The token stops working at once (Casdoor looks every token up), and so does its refresh token.'),
];
