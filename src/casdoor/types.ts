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

/**
 * One entry of Casdoor's records table (add-record; the object Casdoor's own record filter writes
 * per API call). Casdoor stores it under `organization` (it overwrites `owner` with it) and drops
 * one whose organization is "app", the pseudo-organization of application callers.
 */
export interface CasdoorRecord {
  owner: string;
  name: string;
  createdTime: string;
  organization: string;
  clientIp: string;
  user: string;
  method: string;
  requestUri: string;
  action: string;
  language: string;
  /** JSON text: what the call was about. */
  object: string;
  /** JSON text in Casdoor's envelope form: {"status":"ok"|"error","msg":...}. */
  response: string;
  statusCode: number;
  isTriggered: boolean;
}
