// Shared state of one sandbox instance and the Hono environment its handlers run in.
import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { KeyRing } from './keys.js';
import type { SandboxRecord } from './records.js';
import type { RouteTable } from './routes.js';
import type { SandboxFaults, SandboxRequestLog, SandboxStore, SessionRecord } from './types.js';
import { isRecord, parseJson } from './util.js';

export interface SandboxContext {
  store: SandboxStore;
  keys: KeyRing;
  faults: SandboxFaults;
  requests: SandboxRequestLog[];
  requestLogLimit: number;
  /** Records taken by add-record (Casdoor's records table), oldest first. */
  records: SandboxRecord[];
  clock: () => number;
  origin: () => string;
  /** The access each served route declares (filled as the routes are registered). */
  routes: RouteTable;
}

export type AppEnv = {
  Bindings: HttpBindings;
  Variables: {
    raw: string; // request body text ('' for GET)
    caller: string; // '' anonymous, 'org/name' or 'app/<appName>'
    session: SessionRecord | undefined;
  };
};

export type Ctx = Context<AppEnv>;

function formBody(c: Ctx): URLSearchParams | null {
  const type = c.req.header('content-type') ?? '';
  return type.includes('application/x-www-form-urlencoded') ? new URLSearchParams(c.get('raw')) : null;
}

// beego's Input.Query reads the parsed form: POST form fields first, then the URL query.
export function param(c: Ctx, name: string): string {
  const form = formBody(c);
  const fromForm = form?.get(name);
  if (fromForm !== null && fromForm !== undefined) return fromForm;
  return c.req.query(name) ?? '';
}

export function jsonBody(c: Ctx): Record<string, unknown> | null {
  const raw = c.get('raw');
  if (!raw) return null;
  const parsed = parseJson(raw);
  return parsed.ok && isRecord(parsed.value) ? parsed.value : null;
}

// Go's Request.BasicAuth: case-insensitive "Basic " prefix and a ':' in the decoded text.
export function basicAuth(c: Ctx): { id: string; secret: string } | null {
  const header = c.req.header('authorization') ?? '';
  if (header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  if (at < 0) return null;
  return { id: decoded.slice(0, at), secret: decoded.slice(at + 1) };
}

// parseBearerToken: exactly "Bearer <t>" or "DPoP <t>" (case-sensitive, one space).
export function bearerToken(c: Ctx): string {
  const parts = (c.req.header('authorization') ?? '').split(' ');
  if (parts.length !== 2) return '';
  return parts[0] === 'Bearer' || parts[0] === 'DPoP' ? parts[1] ?? '' : '';
}
