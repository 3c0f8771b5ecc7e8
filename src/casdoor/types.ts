/**
 * Casdoor objects as they travel on the wire. Casdoor has far more fields than the SDK's typings
 * (about 50 application fields are missing there), so unknown keys are carried through untouched.
 */
export interface CasdoorApplication {
  owner: string;
  name: string;
  organization: string;
  [field: string]: unknown;
}

export interface CasdoorOrganization {
  owner: string;
  name: string;
  [field: string]: unknown;
}

export interface CasdoorUser {
  owner: string;
  name: string;
  id?: string;
  isAdmin?: boolean;
  [field: string]: unknown;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** The families served by the generic object calls of the adapter, by Casdoor's REST word. */
export type CasdoorFamily = 'organization' | 'role' | 'permission' | 'provider' | 'token' | 'group';

/** An object of one of those families: "<owner>/<name>" is its id. */
export interface CasdoorObject {
  owner: string;
  name: string;
  [field: string]: unknown;
}
