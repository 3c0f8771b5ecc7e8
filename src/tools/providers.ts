import { z } from 'zod';
import { PROVIDER_MASKED } from '../casdoor/masking.js';
import { applicationName } from './application-fields.js';
import { getTool, listTool } from './family-reads.js';
import type { FamilySpec } from './family-spec.js';
import { addTool, deleteTool, updateTool } from './family-writes.js';

const text = z.string();

/** Provider columns (object/provider.go): one row per external service; which fields matter depends on category and type. */
const ProviderFields = z
  .object({
    name: applicationName.describe('Unique across organizations'),
    displayName: z.string(),
    category: z
      .enum(['OAuth', 'Email', 'SMS', 'Storage', 'SAML', 'Payment', 'Captcha', 'Web3', 'Notification', 'Face ID', 'ID Verification', 'MFA', 'Log', 'AI'])
      ,
    type: z.string().describe('e.g. "GitHub", "Google", "Default" (SMTP)'),
    subType: z.string(),
    method: z.string(),
    clientId: text,
    clientSecret: text.describe('Client secret, API key or mail password'),
    clientId2: text,
    clientSecret2: text,
    cert: z.string(),
    customAuthUrl: text,
    customTokenUrl: text,
    customUserInfoUrl: text,
    customLogoutUrl: text,
    customLogo: text,
    scopes: text,
    userMapping: z.record(z.string(), z.string()),
    httpHeaders: z.record(z.string(), z.string()),
    host: text,
    port: z.number().int().min(0).max(65535),
    disableSsl: z.boolean(),
    sslMode: z.string(),
    title: text,
    content: z.string(),
    receiver: text,
    regionId: text,
    signName: text,
    templateCode: text,
    appId: text,
    endpoint: text,
    intranetEndpoint: text,
    domain: text,
    bucket: text,
    pathPrefix: text,
    metadata: z.string(),
    idP: text,
    issuerUrl: text,
    enableSignAuthnRequest: z.boolean(),
    emailRegex: text,
    providerUrl: text,
    enableProxy: z.boolean(),
    enablePkce: z.boolean(),
    state: z.string(),
  })
  .strict();

export const providerSpec: FamilySpec = {
  family: 'provider',
  noun: 'provider',
  plural: 'providers',
  about: 'an external service Casdoor uses: OAuth/SAML identity providers, mail, SMS, storage, captcha, payment',
  example: 'acme/acme-smtp',
  fields: ProviderFields,
  summary: ['displayName', 'category', 'type', 'clientId', 'createdTime'],
  // Casdoor's masked columns, and the SAML cert as well (stricter than Casdoor).
  secrets: [...PROVIDER_MASKED, 'cert'],
  organizationOf: (o) => o.owner,
  // Providers of "admin" are global: every organization admin reads them, only global admins change them.
  shared: (o) => o.owner === 'admin',
  listFilter: 'owner',
  // Casdoor's get-provider is public (secrets masked).
  access: { get: { action: 'read', publicRead: true } },
  createDefaults: ({ name }) => ({ displayName: name, userMapping: {}, httpHeaders: {} }),
  writeNote: 'owner "admin" makes a global provider (global administrators only). Rotate a secret by setting clientSecret.',
};

export const providerTools = [
  listTool(providerSpec),
  getTool(providerSpec),
  addTool({ ...providerSpec, fields: ProviderFields }),
  updateTool({ ...providerSpec, fields: ProviderFields }),
  deleteTool(providerSpec, 'Delete', 'Sign-ins, mail or SMS through it stop working. This cannot be undone.'),
];
