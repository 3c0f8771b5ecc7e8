import type { SandboxData } from './data.js';
import type { TokenStore } from './token-store.js';

// Public types of the Casdoor sandbox. Records are plain JSON objects shaped like
// Casdoor's Go structs (see schema.ts), so they carry an index signature.
import type { OtlpSpan } from './otlp.js';
import type { OtlpMetricPoint } from './otlp-metrics.js';
import type { SandboxRecord } from './records.js';

export interface SandboxOptions {
  host?: string; // default '127.0.0.1' (never bind anything else by default)
  port?: number; // default 0 (ephemeral)
  origin?: string; // the issuer/origin; default `http://${host}:${actualPort}`
  clock?: () => number; // ms since epoch, default Date.now
  requestLogLimit?: number; // keep about this many entries of `requests` (the oldest go); default unbounded, for tests
  dataDir?: string; // keep keys and tables in this folder across restarts; default: in memory only
  fresh?: boolean; // with dataDir: discard what it holds and start from the seed
  demo?: boolean; // the demo of `npm start`: dynamic client registration open on built-in
}

export interface SandboxFaults {
  down: boolean;
  delayMs: number;
  status5xx: number | null;
  malformedJson: boolean;
  envelopeError: string | null;
  jwksDown: boolean;
  /** Per API path (e.g. /api/add-record): a delay, then an HTTP status or an error envelope answered instead. */
  paths: Record<string, { status?: number; delayMs?: number; envelopeError?: string }>;
}

export type SandboxAuthKind = 'basic' | 'bearer' | 'cookie' | 'query' | 'none';

export interface SandboxRequestLog {
  method: string;
  path: string;
  query: string;
  auth: SandboxAuthKind;
  at: number;
}

export interface ScopeItem {
  name: string;
  displayName: string;
  description: string;
  tools: string[] | null;
}

export interface Application {
  [key: string]: unknown;
  owner: string;
  name: string;
  createdTime: string;
  organization: string;
  cert: string;
  clientId: string;
  clientSecret: string;
  tokenFormat: string;
  tokenSigningMethod: string;
  grantTypes: string[] | null;
  scopes: ScopeItem[] | null;
  tags: string[] | null;
  tokenFields: string[] | null;
  expireInHours: number;
  refreshExpireInHours: number;
  isShared: boolean;
}

export interface User {
  [key: string]: unknown;
  owner: string;
  name: string;
  createdTime: string;
  id: string;
  type: string;
  password: string;
  displayName: string;
  email: string;
  phone: string;
  tag: string;
  isAdmin: boolean;
  isForbidden: boolean;
  isDeleted: boolean;
  signupApplication: string;
  signinWrongTimes: number;
  lastSigninWrongTime: string;
}

export interface Organization {
  [key: string]: unknown;
  owner: string;
  name: string;
  createdTime: string;
  displayName: string;
  passwordType: string;
  defaultApplication: string;
  defaultTokenFormat: string;
  isProfilePublic: boolean;
  hasPrivilegeConsent: boolean;
}

export interface Cert {
  [key: string]: unknown;
  owner: string;
  name: string;
  cryptoAlgorithm: string;
  certificate: string;
  privateKey: string;
}

// A row of Casdoor's token table (object/token.go).
export interface TokenRecord {
  owner: string;
  name: string;
  createdTime: string;
  application: string;
  organization: string;
  user: string;
  code: string;
  accessToken: string;
  refreshToken: string;
  accessTokenHash: string;
  refreshTokenHash: string;
  expiresIn: number;
  scope: string;
  tokenType: string;
  grantType: string;
  codeChallenge: string;
  codeIsUsed: boolean;
  codeExpireIn: number;
  resource: string;
  dPoPJkt: string;
}

// Server-side state behind a casdoor_session_id cookie.
export interface SessionRecord {
  id: string;
  user: string; // '' | 'org/name' | 'app/<appName>'
  scope: string;
  aud: string;
  accessToken: string;
  createdAt: number;
}

export interface SandboxStore {
  organizations: Map<string, Organization>; // key 'admin/<name>'
  applications: Map<string, Application>; // key 'admin/<name>'
  users: Map<string, User>; // key '<org>/<name>'
  certs: Map<string, Cert>; // key 'admin/<name>'
  tokens: TokenStore; // rows keyed by the sha256 hex of the access token
  sessions: Map<string, SessionRecord>; // key = cookie value
  tables: Map<string, Map<string, Record<string, unknown>>>; // the generic families' rows (family.ts), by table
}

export interface IssueTokenOptions {
  kind?: 'client_credentials' | 'user';
  application?: string;
  user?: string;
  scope?: string;
  audience?: string | string[];
  tokenType?: string;
  expiresInSeconds?: number;
  notBeforeOffsetSeconds?: number;
  issuer?: string;
  tokenFormat?: 'JWT' | 'JWT-Empty' | 'JWT-Standard' | 'JWT-Custom';
  /** Bind the token to this DPoP key thumbprint (cnf.jkt): Casdoor then wants a DPoP proof with it. */
  dpopJkt?: string;
  extraClaims?: Record<string, unknown>;
  store?: boolean;
}

export interface Sandbox {
  url: string;
  issuer: string;
  /** Where the sandbox keeps its state, when it does. */
  dataDir: string | undefined;
  tokenEndpoint: string;
  demo: { clientId: string; clientSecret: string; application: string; organization: string; users: Array<{ id: string; password: string }> };
  faults: SandboxFaults;
  requests: SandboxRequestLog[];
  /** Spans received at POST /api/v1/traces (OTLP protobuf), decoded, oldest first. */
  spans: readonly OtlpSpan[];
  /** Data points received at POST /api/v1/metrics (OTLP protobuf), decoded, oldest first. */
  metrics: readonly OtlpMetricPoint[];
  /** Records received at POST /api/add-record, oldest first. */
  records: readonly SandboxRecord[];
  /** Typed access to the tables (data.ts); `store` is the raw state underneath. */
  data: SandboxData;
  store: SandboxStore;
  rotateKey(): Promise<void>;
  /** A certificate of an organization with its own key (RS256, or ES256/ES384/ES512 for an EC key). */
  addCert(owner: string, name: string, cryptoAlgorithm?: 'RS256' | 'ES256' | 'ES384' | 'ES512'): Promise<Cert>;
  issueToken(opts: IssueTokenOptions): Promise<string>;
  login(organization: string, username: string, password: string): Promise<string>;
  stop(): Promise<void>;
}
