import { isIP } from 'node:net';

/**
 * Casdoor's own validation rules, in one place for the tools (which check before calling Casdoor)
 * and the sandbox (which answers as Casdoor does).
 */

/** Characters Casdoor's field-validation filter refuses in the name of an added or updated object. */
export const CASDOOR_FORBIDDEN_NAME_CHARS = '/?:#&%=+;';

/** One entry of an IP whitelist, checked as Go's net.ParseCIDR does (no trimming, bits in range). */
export function isCidr(entry: string): boolean {
  const [ip = '', bits, ...rest] = entry.split('/');
  const family = isIP(ip);
  return family !== 0 && rest.length === 0 && bits !== undefined && /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
