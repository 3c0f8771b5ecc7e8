import { z } from 'zod';
import { ORGANIZATION_MASKED_ALWAYS, ORGANIZATION_MASKED_UNLESS_GLOBAL_ADMIN } from '../casdoor/masking.js';
import { applicationName } from './application-fields.js';
import { listTool, getTool } from './family-reads.js';
import type { FamilySpec } from './family-spec.js';
import { addTool, deleteTool, updateTool } from './family-writes.js';

const strings = z.array(z.string());

/** Organization columns an administrator sets (object/organization.go); derived and UI-layout ones are left out. */
const OrganizationFields = z
  .object({
    name: applicationName.describe('Its id is "admin/<name>"'),
    displayName: z.string(),
    websiteUrl: z.string(),
    logo: z.string(),
    logoDark: z.string(),
    favicon: z.string(),
    hasPrivilegeConsent: z.boolean(),
    passwordType: z.string().describe('e.g. "bcrypt", "plain"'),
    passwordOptions: strings,
    passwordExpireDays: z.number().int().min(0),
    countryCodes: strings,
    defaultAvatar: z.string(),
    defaultApplication: applicationName.or(z.literal('')),
    defaultTokenFormat: z.enum(['', 'JWT', 'JWT-Empty', 'JWT-Custom', 'JWT-Standard']),
    userTypes: strings,
    tags: strings,
    languages: strings,
    masterPassword: z.string().describe('Signs in as any of its users'),
    defaultPassword: z.string(),
    masterVerificationCode: z.string(),
    ipWhitelist: z.string().describe('Comma-separated CIDRs; "" allows all'),
    initScore: z.number().int(),
    enableSoftDeletion: z.boolean(),
    isProfilePublic: z.boolean(),
    useEmailAsUsername: z.boolean(),
    enableTour: z.boolean(),
    disableSignin: z.boolean(),
    mfaRememberInHours: z.number().int().min(0),
    dcrPolicy: z.enum(['', 'disabled', 'open']).describe('Dynamic client registration'),
  })
  .strict();

export const organizationSpec: FamilySpec = {
  family: 'organization',
  noun: 'organization',
  plural: 'organizations',
  about: 'a tenant: its users, applications, roles and providers belong to it',
  example: 'admin/acme',
  fixedOwner: 'admin',
  fields: OrganizationFields,
  summary: ['displayName', 'websiteUrl', 'defaultApplication', 'createdTime'],
  secrets: [...ORGANIZATION_MASKED_ALWAYS, ...ORGANIZATION_MASKED_UNLESS_GLOBAL_ADMIN],
  organizationOf: (o) => o.name,
  listFilter: 'none',
  // Casdoor lets any signed-in user see their own organization in the list, not read it alone.
  access: { list: { action: 'read', publicRead: true }, add: { action: 'write', globalAdminOnly: true }, delete: { action: 'write', globalAdminOnly: true } },
  protectedName: (name) => (name === 'built-in' ? 'built-in is Casdoor\'s own organization (its users are the global administrators)' : undefined),
  createDefaults: ({ name }) => ({ displayName: name, passwordType: 'bcrypt', passwordOptions: ['AtLeast6'], countryCodes: ['US'], languages: ['en'], defaultTokenFormat: 'JWT', tags: [], initScore: 0, dcrPolicy: 'disabled' }),
  writeNote: 'Only global administrators create or delete organizations; an organization admin may change only her own.',
};

export const organizationTools = [
  listTool(organizationSpec),
  getTool(organizationSpec),
  addTool({ ...organizationSpec, fields: OrganizationFields }),
  updateTool({ ...organizationSpec, fields: OrganizationFields }),
  deleteTool(organizationSpec, 'Delete', 'Its users can no longer sign in. This cannot be undone.'),
];
