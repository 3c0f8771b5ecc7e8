import type { Hono } from 'hono';

export interface ResourceMetadataOptions {
  /** The canonical MCP URL (MCP_PUBLIC_URL). */
  publicUrl: string;
  /** Casdoor's issuer: the authorization server clients get tokens from. */
  issuer: string;
  /** Canonical scopes from scopes.json: never an alias, a wildcard or offline_access. */
  scopes: readonly string[];
  /** Endpoint paths served on this host besides the public one (e.g. /mcp and /api/mcp). */
  endpointPaths: readonly string[];
}

const PRM = '/.well-known/oauth-protected-resource';

/** The PRM URL for an MCP endpoint URL: RFC 9728 inserts the well-known segment before the path. */
export function resourceMetadataUrl(resource: string): string {
  const u = new URL(resource);
  return `${u.origin}${PRM}${u.pathname === '/' ? '' : u.pathname}`;
}

/** The resource identifier of an endpoint path: the public URL for its own path, else the same origin with that path. */
export function resourceFor(publicUrl: string, path: string): string {
  const u = new URL(publicUrl);
  return u.pathname === path ? publicUrl : `${u.origin}${path}`;
}

/**
 * Protected Resource Metadata (RFC 9728) at the root and at each endpoint's path-suffixed URL, each
 * naming the resource a client asking there connects to (RFC 9728 §3.3: they must be identical).
 */
export function mountResourceMetadata(app: Hono, o: ResourceMetadataOptions): void {
  const docFor = (resource: string) => ({
    resource,
    authorization_servers: [o.issuer],
    scopes_supported: [...o.scopes],
    bearer_methods_supported: ['header'],
    resource_name: 'Casdoor MCP server',
    resource_documentation: `${new URL(o.publicUrl).origin}/`,
  });
  const serve = (path: string, resource: string) => {
    const body = JSON.stringify(docFor(resource));
    app.get(path, (c) => {
      c.header('Access-Control-Allow-Origin', '*');
      c.header('Cache-Control', 'public, max-age=300');
      return c.body(body, 200, { 'Content-Type': 'application/json' });
    });
  };
  serve(PRM, o.publicUrl);
  const paths = new Set([new URL(o.publicUrl).pathname, ...o.endpointPaths]);
  for (const path of paths) if (path !== '/') serve(`${PRM}${path}`, resourceFor(o.publicUrl, path));
}
