// In-memory Casdoor tables, the deterministic seed and the lookups Casdoor's object package does.
import { hashPassword } from './passwords.js';
import { APPLICATION, decode, ORGANIZATION, USER } from './schema.js';
import type { Schema } from './schema.js';
import {
  applicationTemplate, defaultSignupItems, mcpScopes, organizationTemplate, userTemplate,
} from './defaults.js';
import { seedFamilies } from './families/index.js';
import type { KeyRing } from './keys.js';
import { TokenStore } from './token-store.js';
import type { Application, Organization, SandboxStore, TokenRecord, User } from './types.js';
import { getId, randomHex, rfc3339 } from './util.js';

export const DEMO_APP = 'casdoor-mcp';
/** The seeded users' passwords (stored hashed where the organization says so): the demo's sign-ins. */
export const DEMO_PASSWORDS: Readonly<Record<string, string>> = {
  'built-in/admin': '123', 'acme/alice': 'alice-pass', 'acme/bob': 'bob-pass', 'globex/carol': 'carol-pass',
};
export const DEMO_ORG = 'built-in';

function build<T>(s: Schema, fields: Record<string, unknown>): T {
  const decoded = decode(s, fields);
  if (!decoded.ok) throw new Error(`sandbox seed: ${decoded.error}`);
  return decoded.value as unknown as T;
}

export function createStore(keys: KeyRing, startMs: number, clock: () => number = Date.now): SandboxStore {
  // Seed rows get increasing createdTime values so "newest first" is deterministic.
  let tick = 0;
  const created = (): string => rfc3339(startMs - (100 - tick++) * 1000);
  const store: SandboxStore = {
    organizations: new Map(), applications: new Map(), users: new Map(),
    certs: new Map(), tokens: new TokenStore(clock), sessions: new Map(), tables: new Map(),
  };
  store.certs.set('admin/cert-built-in', keys.certRecord(startMs - 200_000));

  const orgs: Array<[string, string, string, string]> = [
    ['built-in', 'Built-in Organization', 'https://example.com', 'app-built-in'],
    ['acme', 'Acme Corp', 'https://acme.example.com', 'acme-portal'],
    ['globex', 'Globex Corporation', 'https://globex.example.com', 'globex-web'],
  ];
  for (const [name, displayName, websiteUrl, defaultApplication] of orgs) {
    const org = build<Organization>(ORGANIZATION, {
      ...organizationTemplate(), owner: 'admin', name, createdTime: created(), displayName, websiteUrl,
      defaultApplication,
      // One organization hashes passwords, as production ones do; the others keep Casdoor's default "plain".
      ...(name === 'globex' ? { passwordType: 'sha256-salt', passwordSalt: randomHex(8) } : {}),
    });
    store.organizations.set(getId('admin', name), org);
  }

  const app = (name: string, organization: string, extra: Record<string, unknown>): void => {
    const record = build<Application>(APPLICATION, {
      ...applicationTemplate(), owner: 'admin', name, createdTime: created(), displayName: name,
      organization, clientId: randomHex(10), clientSecret: randomHex(20), ...extra,
    });
    store.applications.set(getId('admin', name), record);
  };
  app('app-built-in', 'built-in', {
    displayName: 'Casdoor', homepageUrl: 'https://casdoor.org', tokenSigningMethod: '',
    signupItems: defaultSignupItems(), grantTypes: null, refreshExpireInHours: 0, // as in a real 3.158
  });
  app(DEMO_APP, DEMO_ORG, {
    displayName: 'Casdoor MCP Server', category: 'Agent', type: 'MCP', scopes: mcpScopes(),
    description: 'The MCP server\'s own Casdoor application',
    grantTypes: ['client_credentials', 'password', 'authorization_code', 'refresh_token'],
    redirectUris: ['http://127.0.0.1:6274/oauth/callback'],
  });
  app('acme-portal', 'acme', {
    displayName: 'Acme Portal', homepageUrl: 'https://portal.acme.example.com',
    grantTypes: ['authorization_code', 'password', 'refresh_token'],
    redirectUris: ['https://portal.acme.example.com/callback'],
  });
  app('acme-api', 'acme', {
    displayName: 'Acme API', category: 'Default', grantTypes: ['client_credentials'],
    ipWhitelist: '10.0.0.0/8', backchannelLogoutUri: 'https://api.acme.example.com/logout',
  });
  app('globex-web', 'globex', {
    displayName: 'Globex Web', homepageUrl: 'https://globex.example.com',
    grantTypes: ['authorization_code', 'password', 'refresh_token'],
    redirectUris: ['https://globex.example.com/callback'],
  });

  const user = (owner: string, name: string, n: number, extra: Record<string, unknown>): void => {
    const createdTime = created();
    const record = build<User>(USER, {
      ...userTemplate(), owner, name, createdTime, updatedTime: createdTime,
      id: `5a4e0c1b-9f3d-4c2a-8b7e-00000000000${n}`, passwordSalt: randomHex(10),
      accessKey: randomHex(16), accessSecret: randomHex(16), password: DEMO_PASSWORDS[getId(owner, name)] ?? '', ...extra,
    });
    const org = store.organizations.get(getId('admin', owner))!;
    record.passwordType = org.passwordType;
    record.password = hashPassword(String(org.passwordType), String(record.password), String(org.passwordSalt ?? ''));
    store.users.set(getId(owner, name), record);
  };
  user('built-in', 'admin', 1, {
    displayName: 'Admin', email: 'admin@example.com', phone: '12345678910',
    affiliation: 'Example Inc.', tag: 'staff', ranking: 1, isAdmin: true, signupApplication: 'app-built-in',
    registerSource: 'built-in/admin',
  });
  user('acme', 'alice', 2, {
    displayName: 'Alice Anderson', email: 'alice@acme.example.com',
    phone: '5550100001', isAdmin: true, signupApplication: 'acme-portal', tag: 'staff',
  });
  user('acme', 'bob', 3, {
    displayName: 'Bob Brown', email: 'bob@acme.example.com', phone: '5550100002',
    signupApplication: 'acme-portal', totpSecret: 'JBSWY3DPEHPK3PXP', recoveryCodes: ['a1b2-c3d4', 'e5f6-a7b8'],
    properties: { department: 'sales' },
  });
  user('globex', 'carol', 4, {
    displayName: 'Carol Clark', email: 'carol@globex.example.com',
    phone: '5550200001', isAdmin: true, signupApplication: 'globex-web',
  });
  seedFamilies(store, created);
  return store;
}

export function getApplication(store: SandboxStore, owner: string, name: string): Application | undefined {
  return owner && name ? store.applications.get(getId(owner, name)) : undefined;
}

export function getApplicationByClientId(store: SandboxStore, clientId: string): Application | undefined {
  if (!clientId) return undefined;
  for (const app of store.applications.values()) if (app.clientId === clientId) return app;
  return undefined;
}

export function getOrganization(store: SandboxStore, name: string): Organization | undefined {
  return store.organizations.get(getId('admin', name));
}

// GetUserByFields: name, then email (with '@'), phone, id, ID card, inside one organization.
export function getUserByFields(store: SandboxStore, organization: string, field: string): User | undefined {
  const value = field.trim();
  const users = [...store.users.values()].filter((u) => u.owner === organization);
  return users.find((u) => u.name === value)
    ?? (value.includes('@') ? users.find((u) => u.email === value.toLowerCase()) : undefined)
    ?? users.find((u) => value !== '' && u.phone === value)
    ?? users.find((u) => value !== '' && u.id === value)
    ?? users.find((u) => value !== '' && u.idCard === value);
}

// GetApplicationByUser: signup application, else the first app of the user's organization.
export function getApplicationByUser(store: SandboxStore, user: User): Application | undefined {
  if (user.signupApplication) return getApplication(store, 'admin', user.signupApplication);
  for (const app of store.applications.values()) if (app.organization === user.owner) return app;
  return undefined;
}

export function findTokenByAccessToken(store: SandboxStore, token: string): TokenRecord | undefined {
  return store.tokens.byAccessToken(token);
}

export function findTokenByRefreshToken(store: SandboxStore, token: string): TokenRecord | undefined {
  return store.tokens.byRefreshToken(token);
}
