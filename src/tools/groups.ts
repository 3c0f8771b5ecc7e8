import { z } from 'zod';
import { applicationName } from './application-fields.js';
import { getTool, listTool } from './family-reads.js';
import type { FamilySpec } from './family-spec.js';
import { addTool, deleteTool, updateTool } from './family-writes.js';

/** Group columns (object/group.go). Members are set on the user (update_user groups). */
const GroupFields = z
  .object({
    name: applicationName.describe('Unique across organizations'),
    displayName: z.string(),
    manager: z.string(),
    contactEmail: z.string(),
    type: z.enum(['Virtual', 'Physical']),
    parentId: z.string().describe('The parent group\'s name, or the organization name for a top group'),
    isTopGroup: z.boolean(),
    isEnabled: z.boolean(),
  })
  .strict();

export const groupSpec: FamilySpec = {
  family: 'group',
  noun: 'group',
  plural: 'groups',
  about: 'a tree of users inside an organization; users join through their groups field',
  example: 'acme/sales-team',
  fields: GroupFields,
  summary: ['displayName', 'type', 'parentId', 'isTopGroup', 'manager', 'isEnabled'],
  secrets: [],
  organizationOf: (o) => o.owner,
  listFilter: 'owner',
  createDefaults: ({ name }) => ({ displayName: name, type: 'Virtual', isTopGroup: true, isEnabled: true }),
  writeNote: 'A top group has parentId = the organization name. A group with members or sub-groups cannot be deleted.',
};

export const groupTools = [
  listTool(groupSpec),
  getTool(groupSpec),
  addTool({ ...groupSpec, fields: GroupFields }),
  updateTool({ ...groupSpec, fields: GroupFields }),
  deleteTool(groupSpec),
];
