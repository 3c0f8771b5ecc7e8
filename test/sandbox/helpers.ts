// Plain-fetch helpers for the sandbox tests.
import type { Sandbox } from '../../src/sandbox/index.js';

export interface CallOptions {
  method?: 'GET' | 'POST';
  body?: unknown; // objects are sent as JSON, strings as-is
  basic?: { id: string; secret: string };
  bearer?: string;
  cookie?: string; // casdoor_session_id value
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function call(sb: Sandbox, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.basic) headers.authorization = `Basic ${Buffer.from(`${opts.basic.id}:${opts.basic.secret}`).toString('base64')}`;
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.cookie) headers.cookie = `casdoor_session_id=${opts.cookie}`;
  let body: string | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  } else if (typeof opts.body === 'string') {
    body = opts.body;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(`${sb.url}${path}`, { method: opts.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function demoBasic(sb: Sandbox): { id: string; secret: string } {
  return { id: sb.demo.clientId, secret: sb.demo.clientSecret };
}

export function appCreds(sb: Sandbox, name: string): { id: string; secret: string } {
  const app = sb.data.applications.get(`admin/${name}`);
  if (!app) throw new Error(`no app ${name}`);
  return { id: app.clientId, secret: app.clientSecret };
}

export function sessionCookie(res: CallResult): string | null {
  const header = res.headers.get('set-cookie') ?? '';
  const match = /casdoor_session_id=([^;]+)/.exec(header);
  return match?.[1] ?? null;
}

export const ENVELOPE_KEYS = ['status', 'msg', 'sub', 'name', 'data', 'data2', 'data3'];
