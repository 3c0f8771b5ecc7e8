import { z } from 'zod';
import { applicationName } from './application-fields.js';
import { getTool, listTool } from './family-reads.js';
import { memberIds, type FamilySpec } from './family-spec.js';
import { addTool, deleteTool, updateTool } from './family-writes.js';

const names = z.array(z.string().min(1));

/** Permission columns (object/permission.go). */
const PermissionFields = z
  .object({
    name: applicationName,
    displayName: z.string(),
    description: z.string(),
    users: memberIds('user').describe('Users it grants to, e.g. ["acme/bob"] or ["acme/*"]'),
    groups: memberIds('group').describe('Groups it grants to'),
    roles: memberIds('role').describe('Roles it grants to, e.g. ["acme/acme-sales"]'),
    domains: names,
    model: z.string(),
    adapter: z.string(),
    resourceType: z.enum(['Application', 'TreeNode', 'Custom', 'API']),
    resources: names.describe('Resource names, e.g. ["acme-portal"] for an application'),
    actions: names.describe('Actions, e.g. ["Read","Write","Admin"]'),
    effect: z.enum(['Allow', 'Deny']),
    isEnabled: z.boolean(),
    expireTime: z.string(),
    submitter: z.string(),
    approver: z.string(),
    approveTime: z.string(),
    state: z.enum(['', 'Approved', 'Pending']),
  })
  .strict();

export const permissionSpec: FamilySpec = {
  family: 'permission',
  noun: 'permission',
  plural: 'permissions',
  about: 'a Casbin rule granting actions on resources to users, groups or roles',
  example: 'acme/acme-portal-read',
  fields: PermissionFields,
  summary: ['displayName', 'users', 'groups', 'roles', 'resourceType', 'resources', 'actions', 'effect', 'isEnabled', 'state'],
  secrets: [],
  organizationOf: (o) => o.owner,
  listFilter: 'owner',
  createDefaults: ({ name }) => ({
    displayName: name, users: [], groups: [], roles: [], domains: [], resourceType: 'Application', resources: [], actions: ['Read'],
    effect: 'Allow', isEnabled: true, state: 'Approved',
  }),
  writeNote: 'Unset fields default to resourceType "Application", actions ["Read"], effect "Allow", enabled and approved.',
};

export const permissionTools = [
  listTool(permissionSpec),
  getTool(permissionSpec),
  addTool({ ...permissionSpec, fields: PermissionFields }),
  updateTool({ ...permissionSpec, fields: PermissionFields }),
  deleteTool(permissionSpec, 'Delete', 'What it granted is withdrawn at once. This cannot be undone.'),
];
