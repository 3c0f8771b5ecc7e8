// Replays a recorded real-Casdoor exchange against the sandbox and compares the answers' shape.
// A fixture is a transcript file copied verbatim from the recording (see fixtures/); nothing in it
// is edited by hand, so what the sandbox is held to is exactly what Casdoor answered.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ContractWorld } from './world.js';

export interface Exchange {
  step: string;
  caller: string;
  request: { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, unknown>; body: unknown };
}

export interface Fixture {
  scenario: string;
  exchanges: Exchange[];
  notes?: string;
}

export function loadFixture(name: string): Fixture {
  const url = new URL(`./fixtures/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as Fixture;
}

/**
 * Values that differ per run by nature: ids, times, secrets, salts, tokens. They are compared by
 * kind only (type, and empty vs non-empty: createdTime "" is still a difference), and the pair
 * (recorded, sandbox) is learnt so later requests carrying the recorded value get the sandbox's.
 */
export const PER_RUN_KEYS = new Set([
  'createdTime', 'updatedTime', 'deletedTime', 'clientId', 'clientSecret', 'id', 'passwordSalt', 'hash',
  'preHash', 'lastSigninTime', 'lastSigninIp', 'createdIp', 'certPublicKey', 'registrationAccessToken',
  'accessKey', 'accessSecret', 'lastChangePasswordTime', 'invitationCode', 'certificate', 'privateKey',
  'expireTime', 'sub', 'accessToken',
]);
/**
 * Text is shape, not content: a non-empty string matches any non-empty string, except for these
 * keys (what a client branches on) and for the mask "***", which must appear exactly where Casdoor
 * put it. Numbers and booleans are compared exactly (masking writes -1 and false).
 */
const EXACT_TEXT_KEYS = new Set(['status', 'msg', 'data', 'owner', 'name', 'organization', 'error', 'error_description']);
const PLACEHOLDER = /^<(client-secret|registration-access-token|session|password|private-key|jwt):?[^>]*>$/;

export interface Difference {
  step: string;
  path: string;
  recorded: string;
  sandbox: string;
}

/** The kind of a value as the comparison sees it: null, [] / [n], "" / "…", number, bool, object. */
export function kindOf(v: unknown): string {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? '[]' : 'array';
  if (typeof v === 'string') return v === '' ? '""' : 'string';
  return typeof v;
}

function show(v: unknown): string {
  if (v === undefined) return 'absent';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Compares `actual` against `recorded` by rule; returns every difference found. */
export function compareShape(recorded: unknown, actual: unknown, learn: (r: string, a: string) => void, path = '$', key = ''): Array<Omit<Difference, 'step'>> {
  const out: Array<Omit<Difference, 'step'>> = [];
  const perRun = PER_RUN_KEYS.has(key) || (typeof recorded === 'string' && PLACEHOLDER.test(recorded));
  if (perRun || kindOf(recorded) !== kindOf(actual)) {
    if (kindOf(recorded) !== kindOf(actual)) out.push({ path, recorded: show(recorded), sandbox: show(actual) });
    else if (typeof recorded === 'string' && typeof actual === 'string' && recorded !== actual) learn(recorded, actual);
    return out;
  }
  if (Array.isArray(recorded) && Array.isArray(actual)) {
    if (recorded.length !== actual.length) {
      out.push({ path: `${path}.length`, recorded: String(recorded.length), sandbox: String(actual.length) });
      return out;
    }
    recorded.forEach((r, i) => out.push(...compareShape(r, actual[i], learn, `${path}[${i}]`)));
    return out;
  }
  if (recorded && typeof recorded === 'object' && actual && typeof actual === 'object') {
    const r = recorded as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of new Set([...Object.keys(r), ...Object.keys(a)])) out.push(...compareShape(r[k], a[k], learn, `${path}.${k}`, k));
    return out;
  }
  const textOnly = typeof recorded === 'string' && !EXACT_TEXT_KEYS.has(key) && recorded !== '***' && actual !== '***';
  if (!textOnly && recorded !== actual) out.push({ path, recorded: show(recorded), sandbox: show(actual) });
  return out;
}

function substitute(v: unknown, fn: (s: string) => string): unknown {
  if (typeof v === 'string') return fn(v);
  if (Array.isArray(v)) return v.map((x) => substitute(x, fn));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, substitute(x, fn)]));
  }
  return v;
}

/** Replaces the recording's placeholders and learnt per-run values with the sandbox's own. */
function resolve(text: string, world: ContractWorld, learnt: Map<string, string>): string {
  const replaced = text
    .replace(/<client-secret:([^>]+)>/g, (_, app: string) => world.secretOf(app))
    .replace(/<session:([^>]+)>/g, (_, user: string) => world.sessionOf(user))
    .replace(/<password>/g, world.password);
  return learnt.get(replaced) ?? replaced;
}

function headersFor(ex: Exchange, world: ContractWorld, learnt: Map<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(ex.request.headers)) {
    let value = resolve(raw, world, learnt);
    const basic = /^Basic base64\((.*)\)$/.exec(value);
    if (basic) {
      const [id = '', secret = ''] = (basic[1] ?? '').split(/:(.*)/s);
      value = `Basic ${Buffer.from(`${learnt.get(id) ?? id}:${secret}`).toString('base64')}`;
    }
    headers[name] = value;
  }
  return headers;
}

/** Sends one recorded request to the sandbox and returns the differences of its answer. */
export async function replay(ex: Exchange, world: ContractWorld, learnt: Map<string, string>): Promise<Difference[]> {
  const url = new URL(ex.request.path, world.url);
  for (const [k, v] of Object.entries(ex.request.query)) url.searchParams.set(k, resolve(v, world, learnt));
  const headers = headersFor(ex, world, learnt);
  let body: string | undefined;
  if (ex.request.method !== 'GET' && ex.request.body !== null) {
    // A string body is sent as it was (Casdoor was sent text that is not JSON on purpose).
    const sent = substitute(ex.request.body, (s) => resolve(s, world, learnt));
    const form = (headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
    if (typeof sent === 'string') body = sent;
    else if (form) body = new URLSearchParams(sent as Record<string, string>).toString();
    else body = JSON.stringify(sent);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method: ex.request.method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let actual: unknown = text;
  try {
    actual = JSON.parse(text);
  } catch {
    // Not JSON (Casdoor's HTML 404 page): compared as a string.
  }
  const differences: Difference[] = [];
  if (res.status !== ex.response.status) {
    differences.push({ step: ex.step, path: 'status', recorded: String(ex.response.status), sandbox: String(res.status) });
  }
  const recordedType = String(ex.response.headers['content-type'] ?? '').split(';')[0];
  const actualType = (res.headers.get('content-type') ?? '').split(';')[0];
  if (recordedType !== actualType) differences.push({ step: ex.step, path: 'content-type', recorded: recordedType, sandbox: actualType });
  // An HTML page is compared by its type only; its text is Casdoor's own template.
  const recorded = typeof ex.response.body === 'string' && recordedType === 'text/html' ? '(html)' : ex.response.body;
  const got = typeof actual === 'string' && actualType === 'text/html' ? '(html)' : actual;
  const learn = (r: string, a: string): void => {
    if (!learnt.has(r)) learnt.set(r, a);
  };
  for (const d of compareShape(recorded, got, learn)) differences.push({ step: ex.step, ...d });
  return differences;
}
