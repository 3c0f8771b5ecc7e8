// Groups: controllers/group.go. Names are unique across organizations (pk unique index); a group
// with sub-groups or members cannot be deleted, and members follow a rename.
import type { Family } from '../family.js';
import { schema } from '../schema.js';
import { getId } from '../util.js';
import { table } from './table.js';

export const GROUP = schema('Group', `owner name createdTime updatedTime displayName manager contactEmail type parentId
  isTopGroup:b users:as isEnabled:b`);

export const groups: Family = {
  singular: 'group',
  plural: 'groups',
  table: 'group',
  schema: GROUP,
  rows: (store) => table(store, 'group'),
  endpoints: ['list', 'get', 'add', 'update', 'delete'],
  globalName: true,
  undeletable(row, ctx) {
    const id = getId(String(row.owner), String(row.name));
    if ([...table(ctx.store, 'group').values()].some((g) => g.owner === row.owner && g.parentId === row.name)) return 'group has children group';
    if ([...ctx.store.users.values()].some((u) => Array.isArray(u.groups) && u.groups.includes(id))) return 'group has users';
    return undefined;
  },
  renamed(ctx, from, to) {
    const before = getId(String(from.owner), String(from.name));
    const after = getId(String(to.owner), String(to.name));
    if (before === after) return;
    for (const user of ctx.store.users.values()) {
      if (Array.isArray(user.groups)) user.groups = user.groups.map((g: unknown) => (g === before ? after : g));
    }
    for (const group of table(ctx.store, 'group').values()) if (group.owner === from.owner && group.parentId === from.name) group.parentId = to.name;
  },
  seeds: (created) => [
    { owner: 'acme', name: 'sales-team', createdTime: created(), displayName: 'Sales team', manager: 'alice', type: 'Virtual', parentId: 'acme', isTopGroup: true, isEnabled: true },
    { owner: 'acme', name: 'engineering', createdTime: created(), displayName: 'Engineering', manager: 'alice', contactEmail: 'eng@acme.example.com', type: 'Virtual', parentId: 'acme', isTopGroup: true, isEnabled: true },
    { owner: 'globex', name: 'globex-staff', createdTime: created(), displayName: 'Globex staff', manager: 'carol', type: 'Physical', parentId: 'globex', isTopGroup: true, isEnabled: true },
  ],
};
