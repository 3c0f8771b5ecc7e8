/** Casdoor's OIDC discovery document: the one place the server and `check` read it. */
export interface DiscoveryDoc {
  issuer: string;
  jwks_uri?: string;
  token_endpoint?: string;
  introspection_endpoint?: string;
  authorization_endpoint?: string;
  registration_endpoint?: string;
}

export type DiscoveryResult =
  | { ok: true; doc: DiscoveryDoc; url: string }
  /** `unreachable`: no HTTP answer (DNS, refused, timeout); `invalid`: an answer that is not a discovery document. */
  | { ok: false; kind: 'unreachable' | 'invalid'; url: string; status?: number; reason: string };

export const discoveryUrl = (endpoint: string): string => `${endpoint}/.well-known/openid-configuration`;

export async function fetchDiscovery(endpoint: string, timeoutMs: number): Promise<DiscoveryResult> {
  const url = discoveryUrl(endpoint);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } });
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return { ok: false, kind: 'unreachable', url, reason: (e.cause ?? e).message };
  }
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const doc = body as Partial<DiscoveryDoc> | undefined;
  if (res.status !== 200 || typeof doc?.issuer !== 'string') {
    return { ok: false, kind: 'invalid', url, status: res.status, reason: `HTTP ${res.status}, not a discovery document` };
  }
  return { ok: true, doc: doc as DiscoveryDoc, url };
}

export interface Discovery {
  issuer: string;
  jwksUrl: string;
  introspectionUrl: string | undefined;
}

/** The issuer and JWKS the server requires: configured values win, then discovery, then Casdoor's fixed paths. */
export function resolveDiscovery(
  endpoint: string,
  config: { issuer?: string | undefined; jwksUrl?: string | undefined },
  found: DiscoveryDoc | undefined,
): Discovery {
  return {
    issuer: config.issuer ?? found?.issuer.replace(/\/+$/, '') ?? endpoint,
    jwksUrl: config.jwksUrl ?? found?.jwks_uri ?? `${endpoint}/.well-known/jwks`,
    introspectionUrl: found?.introspection_endpoint,
  };
}
