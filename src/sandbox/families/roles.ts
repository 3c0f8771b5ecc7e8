// Roles: controllers/role.go. Members are user ids, group ids and sub-role ids ("<owner>/<name>").
import type { Family } from '../family.js';
import { schema } from '../schema.js';
import { table } from './table.js';

export const ROLE = schema('Role', 'owner name createdTime displayName description users:as groups:as roles:as domains:as isEnabled:b');

export const roles: Family = {
  singular: 'role',
  plural: 'roles',
  table: 'role',
  schema: ROLE,
  rows: (store) => table(store, 'role'),
  endpoints: ['list', 'get', 'add', 'update', 'delete'],
  seeds: (created) => [
    { owner: 'acme', name: 'acme-admins', createdTime: created(), displayName: 'Acme administrators', users: ['acme/alice'], groups: [], roles: [], domains: [], isEnabled: true },
    { owner: 'acme', name: 'acme-sales', createdTime: created(), displayName: 'Sales', description: 'Sales staff', users: ['acme/bob'], groups: ['acme/sales-team'], roles: [], domains: [], isEnabled: true },
    { owner: 'globex', name: 'globex-ops', createdTime: created(), displayName: 'Operations', users: ['globex/carol'], groups: [], roles: [], domains: [], isEnabled: true },
  ],
};
