// Permissions: controllers/permission.go. A written permission has domains [] where the other
// lists stay null (permissions-crud-admin.json), after an update too.
import type { Family } from '../family.js';
import { schema } from '../schema.js';
import { table } from './table.js';

export const PERMISSION = schema('Permission', `owner name createdTime displayName description users:as groups:as roles:as
  domains:as model adapter resourceType resources:as actions:as effect isEnabled:b expireTime submitter approver
  approveTime state`);

export const permissions: Family = {
  singular: 'permission',
  plural: 'permissions',
  table: 'permission',
  schema: PERMISSION,
  rows: (store) => table(store, 'permission'),
  endpoints: ['list', 'get', 'add', 'update', 'delete'],
  writeDefaults: { domains: [] },
  seeds: (created) => [
    {
      owner: 'built-in', name: 'permission-built-in', createdTime: created(), displayName: 'Built-in Permission',
      users: ['built-in/*'], groups: [], roles: [], resourceType: 'Application', resources: ['app-built-in'],
      actions: ['Read', 'Write', 'Admin'], effect: 'Allow', isEnabled: true, submitter: 'admin', approver: 'admin', state: 'Approved',
    },
    {
      owner: 'acme', name: 'acme-portal-read', createdTime: created(), displayName: 'Read the Acme portal', users: [],
      groups: [], roles: ['acme/acme-sales'], resourceType: 'Application', resources: ['acme-portal'], actions: ['Read'],
      effect: 'Allow', isEnabled: true, submitter: 'alice', state: 'Approved',
    },
    {
      owner: 'globex', name: 'globex-web-admin', createdTime: created(), displayName: 'Administer Globex Web',
      users: ['globex/carol'], groups: [], roles: [], resourceType: 'Application', resources: ['globex-web'],
      actions: ['Admin'], effect: 'Allow', isEnabled: true, state: 'Approved',
    },
  ],
};
