import type { Harness } from '../support/harness.js';
import type { Json } from '../tools/helpers.js';

export type Family = 'organization' | 'role' | 'permission' | 'provider' | 'token' | 'group';
export type Org = 'acme' | 'globex';

export const PLURAL: Record<Family, string> = {
  organization: 'organizations', role: 'roles', permission: 'permissions', provider: 'providers', token: 'tokens', group: 'groups',
};
export const FAMILIES = Object.keys(PLURAL) as Family[];

/** Seeded objects of each family in each organization (src/sandbox/families/). */
export const FIXTURE: Record<Exclude<Family, 'token'>, Record<Org, string>> = {
  organization: { acme: 'admin/acme', globex: 'admin/globex' },
  role: { acme: 'acme/acme-sales', globex: 'globex/globex-ops' },
  permission: { acme: 'acme/acme-portal-read', globex: 'globex/globex-web-admin' },
  provider: { acme: 'acme/acme-smtp', globex: 'globex/globex-saml' },
  group: { acme: 'acme/sales-team', globex: 'globex/globex-staff' },
};

/** The sandbox's rows of a family, through its typed data API. */
export function rows(h: Harness, family: Family): Json[] {
  return h.sandbox.data[PLURAL[family] as 'roles'].list() as Json[];
}

export function row(h: Harness, family: Family, id: string): Json | undefined {
  return h.sandbox.data[PLURAL[family] as 'roles'].get(id) as Json | undefined;
}

/** A stored token of a user of an organization, issued by the sandbox (a sign-in made before the test). */
export async function tokenOf(h: Harness, org: Org): Promise<string> {
  const user = org === 'acme' ? 'acme/alice' : 'globex/carol';
  const token = await h.sandbox.issueToken({ kind: 'user', user, scope: 'profile' });
  for (const r of rows(h, 'token')) if (r.accessToken === token) return `admin/${r.name}`;
  throw new Error(`no token row of ${user}`);
}

/** A copy of a fixture under a fresh name, stored straight into the sandbox (for deletes); tokens: a fresh one. */
export async function copyOf(h: Harness, family: Family, id: string, name: string, org: Org): Promise<string> {
  if (family === 'token') return tokenOf(h, org);
  const copy = h.sandbox.data[PLURAL[family] as 'roles'].put({ ...structuredClone(row(h, family, id)!), name } as Json & { owner: string; name: string });
  return `${String(copy.owner)}/${name}`;
}
