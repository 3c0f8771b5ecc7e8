import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { Authenticator } from './auth/authenticate.js';
import { RpcCode } from './auth/errors.js';
import { mcpEndpoint } from './http/mcp-endpoint.js';
import { mountResourceMetadata } from './http/well-known.js';
import type { ExchangeTransport } from './mcp/exchange-transport.js';
import type { ToolRegistry } from './mcp/registry.js';

export interface AppDeps {
  publicUrl: string;
  issuer: string;
  canonicalScopes: readonly string[];
  allowedOrigins: readonly string[];
  /** Host header values accepted; empty accepts any (a server bound to all interfaces behind a proxy). */
  allowedHosts: readonly string[];
  maxBodyBytes: number;
  authenticator: Authenticator;
  registry: ToolRegistry;
  exchange: ExchangeTransport;
  logger: Logger;
}

export const MCP_PATHS = ['/mcp', '/api/mcp'] as const;

/** Duplicate Authorization headers are folded by Node's parser; read the raw list to refuse them. */
function authorizationHeaders(c: Context): string[] {
  const raw = (c.env as { incoming?: { rawHeaders?: string[] } } | undefined)?.incoming?.rawHeaders;
  if (!raw) {
    const one = c.req.header('authorization');
    return one === undefined ? [] : [one];
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'authorization') out.push(raw[i + 1]!);
  return out;
}

/** Builds the HTTP app. Dependencies come in; nothing is read from the environment here. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const ownOrigin = new URL(deps.publicUrl).origin;
  const origins = new Set([ownOrigin, ...deps.allowedOrigins]);
  const hosts = new Set(deps.allowedHosts.map((h) => h.toLowerCase()));

  // DNS-rebinding and cross-site defence for every MCP request (MCP transport spec: 403 on a bad Origin).
  for (const path of MCP_PATHS) {
    app.use(path, async (c, next) => {
      const origin = c.req.header('origin');
      const host = (c.req.header('host') ?? '').toLowerCase();
      if ((origin !== undefined && !origins.has(origin)) || (hosts.size > 0 && !hosts.has(host))) {
        deps.logger.warn({ origin, host }, 'request from a foreign origin or host refused');
        return c.json({ jsonrpc: '2.0', id: null, error: { code: RpcCode.OriginNotAllowed, message: 'origin not allowed', data: { hint: 'Add the origin to MCP_ALLOWED_ORIGINS if it is yours.' } } }, 403);
      }
      if (origin !== undefined) {
        c.header('Access-Control-Allow-Origin', origin);
        c.header('Access-Control-Expose-Headers', 'WWW-Authenticate, Mcp-Session-Id, X-Request-Id');
        c.header('Vary', 'Origin');
      }
      await next();
    });
    app.options(path, (c) => {
      c.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
      c.header('Access-Control-Allow-Headers', 'Content-Type, Authorization, Accept, MCP-Protocol-Version, Mcp-Session-Id, Last-Event-ID, X-Request-Id');
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    });
    app.post(
      path,
      bodyLimit({
        maxSize: deps.maxBodyBytes,
        // The rest of the body is never read, so the connection cannot be reused: say so.
        onError: (c) => {
          c.header('Connection', 'close');
          return c.json({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `Request body exceeds ${deps.maxBodyBytes} bytes` } }, 413);
        },
      }),
      mcpEndpoint({ ...deps, authorizationHeaders }),
    );
    // Stateless: no GET stream (the SDK's would never end) and no session to DELETE.
    app.on(['GET', 'DELETE', 'PUT', 'PATCH'], path, (c) => {
      c.header('Allow', 'POST, OPTIONS');
      return c.json({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Method not allowed: this stateless MCP endpoint takes POST only' } }, 405);
    });
  }

  mountResourceMetadata(app, { publicUrl: deps.publicUrl, issuer: deps.issuer, scopes: deps.canonicalScopes, endpointPaths: MCP_PATHS });
  app.get('/', (c) =>
    c.json({
      name: 'casdoor-mcp',
      description: 'MCP server for Casdoor administration (Streamable HTTP, stateless, OAuth 2.1 resource server)',
      mcp_endpoint: deps.publicUrl,
      authorization_server: deps.issuer,
      scopes: deps.canonicalScopes,
    }),
  );
  app.notFound((c) => c.json({ error: 'not_found', message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((err, c) => {
    deps.logger.error({ err, path: new URL(c.req.url).pathname }, 'unhandled error');
    return c.json({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } }, 500);
  });
  return app;
}
