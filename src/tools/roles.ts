import { z } from 'zod';
import { applicationName } from './application-fields.js';
import { getTool, listTool } from './family-reads.js';
import { memberIds, type FamilySpec } from './family-spec.js';
import { addTool, deleteTool, updateTool } from './family-writes.js';

/** Role columns (object/role.go); members are ids "<organization>/<name>". */
const RoleFields = z
  .object({
    name: applicationName,
    displayName: z.string(),
    description: z.string(),
    users: memberIds('user').describe('Member users, e.g. ["acme/alice"]; replaces the whole list'),
    groups: memberIds('group').describe('Member groups, e.g. ["acme/sales-team"]; replaces the whole list'),
    roles: memberIds('role').describe('Sub-roles whose members get this role too; replaces the whole list'),
    domains: z.array(z.string()),
    isEnabled: z.boolean().describe('false: the role grants nothing'),
  })
  .strict();

export const roleSpec: FamilySpec = {
  family: 'role',
  noun: 'role',
  plural: 'roles',
  about: 'a named set of users, groups and sub-roles that permissions are granted to',
  example: 'acme/acme-admins',
  fields: RoleFields,
  summary: ['displayName', 'users', 'groups', 'roles', 'isEnabled'],
  secrets: [],
  organizationOf: (o) => o.owner,
  listFilter: 'owner',
  createDefaults: ({ name }) => ({ displayName: name, users: [], groups: [], roles: [], domains: [], isEnabled: true }),
  writeNote: 'Members (users, groups, roles) are set as whole lists.',
};

export const roleTools = [
  listTool(roleSpec),
  getTool(roleSpec),
  addTool({ ...roleSpec, fields: RoleFields }),
  updateTool({ ...roleSpec, fields: RoleFields }),
  deleteTool(roleSpec, 'Delete', 'Its members lose what it granted. This cannot be undone.'),
];
