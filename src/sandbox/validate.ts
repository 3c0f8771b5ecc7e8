// Small request validators shared by the REST handlers.
import { isCidr } from '../casdoor/rules.js';
import type { Ctx } from './context.js';
import { decode } from './schema.js';
import type { Schema } from './schema.js';
import { parseJson } from './util.js';

// object.CheckIpWhitelist: comma-separated CIDRs, checked like Go's net.ParseCIDR (no trimming).
export function checkIpWhitelist(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  for (const entry of value.split(',')) {
    if (!isCidr(entry)) return `${entry} does not meet the CIDR format requirements: invalid CIDR address: ${entry}`;
  }
  return null;
}

// json.Unmarshal of the request body into a Go struct; errors carry Go's wording.
export function decodeBody(c: Ctx, s: Schema, base?: Record<string, unknown>): ReturnType<typeof decode> {
  const parsed = parseJson(c.get('raw'));
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return decode(s, parsed.value, base);
}
