// The typed face of the sandbox's tables for tests and tools: each family's rows by id
// ("<owner>/<name>"), with Casdoor's zero values filled in on put, instead of the raw Maps.
import { FAMILIES } from './families/index.js';
import { findRow, seedRow, type Family, type Row } from './family.js';
import { insert } from './family-crud.js';
import type { Application, Organization, SandboxStore, User } from './types.js';
import { splitId } from './util.js';

export interface FamilyData<T extends Row = Row> {
  /** The stored row itself (changes to it are changes to the sandbox), or undefined. */
  get(id: string): T | undefined;
  has(id: string): boolean;
  /** The stored rows, optionally of one owner only. */
  list(owner?: string): T[];
  count(): number;
  /** Stores a whole row, replacing any of the same owner and name: the family's zero values, then `fields`. */
  put(fields: Partial<T> & { owner: string; name: string }): T;
  /** Changes some columns of a stored row; throws when there is none. */
  patch(id: string, fields: Partial<T>): T;
  delete(id: string): boolean;
}

export interface SandboxData {
  applications: FamilyData<Application>;
  users: FamilyData<User>;
  organizations: FamilyData<Organization>;
  roles: FamilyData;
  permissions: FamilyData;
  providers: FamilyData;
  groups: FamilyData;
  /** Read and delete only: tokens are written by sign-ins and the token endpoints. */
  tokens: Pick<FamilyData, 'get' | 'has' | 'list' | 'count' | 'delete'>;
}

function familyData<T extends Row>(family: Family, store: SandboxStore): FamilyData<T> {
  const find = (id: string): [string, Row] | undefined => {
    const parts = splitId(id);
    return 'error' in parts ? undefined : findRow(family, store, parts.owner, parts.name);
  };
  const data: FamilyData<T> = {
    get: (id) => find(id)?.[1] as T | undefined,
    has: (id) => find(id) !== undefined,
    list: (owner) => [...family.rows(store).values()].filter((r) => owner === undefined || r.owner === owner) as T[],
    count: () => data.list().length,
    put(fields) {
      const row = seedRow(family, fields);
      data.delete(`${fields.owner}/${fields.name}`);
      insert(family, store, row);
      return row as T;
    },
    patch(id, fields) {
      const row = data.get(id);
      if (!row) throw new Error(`sandbox data: no ${family.singular} ${id}`);
      return Object.assign(row, fields);
    },
    delete(id) {
      const hit = find(id);
      return hit ? family.rows(store).delete(hit[0]) : false;
    },
  };
  return data;
}

export function createData(store: SandboxStore): SandboxData {
  const of = (plural: string): Family => {
    const family = FAMILIES.find((f) => f.plural === plural);
    if (!family) throw new Error(`sandbox data: no family ${plural}`);
    return family;
  };
  const data = <T extends Row>(plural: string): FamilyData<T> => familyData<T>(of(plural), store);
  return {
    applications: data<Application>('applications'),
    users: data<User>('users'),
    organizations: data<Organization>('organizations'),
    roles: data('roles'),
    permissions: data('permissions'),
    providers: data('providers'),
    groups: data('groups'),
    tokens: data('tokens'),
  };
}
