// Small request validators shared by the REST handlers.
import { isIP } from 'node:net';
import type { Ctx } from './context.js';
import { decode } from './schema.js';
import type { Schema } from './schema.js';
import { parseJson } from './util.js';

// object.CheckIpWhitelist: comma-separated CIDRs, checked like Go's net.ParseCIDR (no trimming).
export function checkIpWhitelist(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  for (const entry of value.split(',')) {
    const [ip = '', bits, ...rest] = entry.split('/');
    const family = isIP(ip);
    const max = family === 4 ? 32 : 128;
    const valid = family !== 0 && bits !== undefined && rest.length === 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= max;
    if (!valid) return `${entry} does not meet the CIDR format requirements: invalid CIDR address: ${entry}`;
  }
  return null;
}

// json.Unmarshal of the request body into a Go struct; errors carry Go's wording.
export function decodeBody(c: Ctx, s: Schema, base?: Record<string, unknown>): ReturnType<typeof decode> {
  const parsed = parseJson(c.get('raw'));
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return decode(s, parsed.value, base);
}
