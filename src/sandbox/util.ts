import { createHash, randomBytes, randomUUID } from 'node:crypto';

// Casdoor formats times with Go's time.RFC3339 at second precision.
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function parseTime(value: string): number {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? 0 : ms;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function uuid(): string {
  return randomUUID();
}

// Token rows are looked up by sha256 hex of the token (object/token.go getTokenHash).
export function sha256Hex(input: string): string {
  return createHash('sha256').update(input).digest('hex');
}

export function getId(owner: string, name: string): string {
  return `${owner}/${name}`;
}

// util.GetOwnerAndNameFromIdWithError: exactly one '/' is required.
export function splitId(id: string): { owner: string; name: string } | { error: string } {
  const parts = id.split('/');
  if (parts.length !== 2) {
    return { error: `GetOwnerAndNameFromId() error, wrong token count for ID: ${id}` };
  }
  return { owner: parts[0] ?? '', name: parts[1] ?? '' };
}

// Column names are compared loosely so camelCase, snake_case and xorm's odd names all match.
export function columnKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

export function camelToSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Go's json.Unmarshal error for a body that is not valid JSON.
export function goJsonSyntaxError(raw: string): string {
  const text = raw.trim();
  if (text === '') return 'unexpected end of JSON input';
  const first = text[0] ?? '';
  if (!'{["-0123456789tfn'.includes(first)) {
    return `invalid character '${first}' looking for beginning of value`;
  }
  const key = /^\{\s*(.)/s.exec(text)?.[1];
  if (key && key !== '"' && key !== '}') return `invalid character '${key}' looking for beginning of object key string`;
  return 'unexpected end of JSON input';
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(raw: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, error: goJsonSyntaxError(raw) };
  }
}
