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

/** The sandbox's rows of a family, whatever its store keys them by. */
export function rows(h: Harness, family: Family): { values(): IterableIterator<Json> } {
  if (family === 'organization') return h.sandbox.store.organizations as unknown as Map<string, Json>;
  if (family === 'token') return h.sandbox.store.tokens as unknown as { values(): IterableIterator<Json> };
  return h.sandbox.store.tables.get(family) as Map<string, Json>;
}

export function row(h: Harness, family: Family, id: string): Json | undefined {
  const [owner, name] = id.split('/');
  for (const r of rows(h, family).values()) if (r.owner === owner && r.name === name) return r;
  return undefined;
}

/** A stored token of a user of an organization, issued by the sandbox (a sign-in made before the test). */
export async function tokenOf(h: Harness, org: Org): Promise<string> {
  const user = org === 'acme' ? 'acme/alice' : 'globex/carol';
  const token = await h.sandbox.issueToken({ kind: 'user', user, scope: 'profile' });
  for (const r of rows(h, 'token').values()) if (r.accessToken === token) return `admin/${r.name}`;
  throw new Error(`no token row of ${user}`);
}

/** A copy of a fixture under a fresh name, stored straight into the sandbox (for deletes); tokens: a fresh one. */
export async function copyOf(h: Harness, family: Family, id: string, name: string, org: Org): Promise<string> {
  if (family === 'token') return tokenOf(h, org);
  const source = structuredClone(row(h, family, id)!);
  const copy = { ...source, name };
  (rows(h, family) as Map<string, Json>).set(`${copy.owner}/${name}`, copy);
  return `${copy.owner}/${name}`;
}
