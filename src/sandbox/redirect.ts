// Which redirect URIs an application accepts: exactly a listed one, or, for a listed loopback URI, the
// same URI on any port (RFC 8252 7.3: native clients pick a free port). No substring or regex matching.
import type { Application } from './types.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Schemes a browser would run or read locally instead of handing to a client (private-use schemes such as cursor:// are fine). */
export const UNSAFE_SCHEMES: ReadonlySet<string> = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:']);

function parse(uri: string): URL | undefined {
  if (!URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  return url.hash ? undefined : url;
}

export function redirectUriAllowed(app: Application, uri: string): boolean {
  const target = parse(uri);
  if (!target || UNSAFE_SCHEMES.has(target.protocol)) return false;
  for (const listed of (app.redirectUris as string[] | null) ?? []) {
    if (listed === uri) return true;
    const allowed = parse(listed);
    if (!allowed || allowed.protocol !== 'http:' || target.protocol !== 'http:') continue;
    if (!LOOPBACK.has(allowed.hostname) || allowed.hostname !== target.hostname) continue;
    if (allowed.pathname === target.pathname && allowed.search === target.search) return true;
  }
  return false;
}
