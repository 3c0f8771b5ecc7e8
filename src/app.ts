import type { IncomingMessage } from 'node:http';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { Authenticator } from './auth/authenticate.js';
import { Refusal, RpcCode } from './auth/errors.js';
import { mcpEndpoint } from './http/mcp-endpoint.js';
import { corsHeaders } from './http/cors.js';
import { RESPONSE_ALREADY_SENT } from './http/raw-reply.js';
import { mountResourceMetadata } from './http/well-known.js';
import type { ExchangeTransport } from './mcp/exchange-transport.js';
import type { ToolRegistry } from './mcp/registry.js';
import type { EdgeOps } from './ops/edge.js';
import type { Readiness } from './ops/health.js';
import type { Metrics } from './observe/metrics.js';
import { mountMetrics } from './observe/metrics-endpoint.js';
import type { ElicitationRouter } from './store/elicitation-router.js';
import { newScope, requestIdFrom, runInScope } from './ops/request-context.js';

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
  /** Audit and rate limits at the MCP endpoint. */
  ops?: EdgeOps;
  /** The 2026-07-28 server/discover result. */
  discover?: Record<string, unknown>;
  /** Backs GET /readyz; without it /readyz answers like /healthz. */
  readiness?: Readiness;
  /** Take the client address from the last X-Forwarded-For entry (behind a reverse proxy). */
  trustProxy?: boolean;
  /** Routes answers to elicitations across instances (REDIS_URL). */
  elicitations?: ElicitationRouter;
  /** GET /metrics on this app, to this bearer token only (MCP_METRICS_TOKEN). */
  metrics?: { metrics: Metrics; token: string };
  /** Extra fields of every /readyz answer (the sandbox says it is one). */
  readinessNote?: Record<string, string>;
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

/** The peer address, or with trustProxy the address the proxy appended last to X-Forwarded-For. */
function clientAddress(c: Context, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean);
    if (forwarded && forwarded.length > 0) return forwarded[forwarded.length - 1]!.slice(0, 64);
  }
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
}

/**
 * A body whose declared Content-Length is within the limit needs no streaming check: Node's parser
 * never delivers more than declared. Skipping bodyLimit then spares @hono/node-server from building a
 * web Request and body stream for every POST (about a seventh of the server's CPU under load).
 */
function declaredLengthFirst(max: number, streaming: MiddlewareHandler): MiddlewareHandler {
  return async function declaredLength(c, next) {
    const headers = (c.env as { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined)?.incoming?.headers;
    const length = headers?.['content-length'];
    if (typeof length === 'string' && headers?.['transfer-encoding'] === undefined && /^\d{1,12}$/.test(length) && Number(length) <= max) {
      return next();
    }
    return streaming(c, next);
  };
}

/** Builds the HTTP app. Dependencies come in; nothing is read from the environment here. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const ownOrigin = new URL(deps.publicUrl).origin;
  const origins = new Set([ownOrigin, ...deps.allowedOrigins]);
  const hosts = new Set(deps.allowedHosts.map((h) => h.toLowerCase()));

  // Every response carries a request id (the caller's X-Request-Id when well-formed); the request
  // scope carries it, the client address and the audit state through the whole request.
  app.use('*', async (c, next) => {
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    c.header('X-Request-Id', requestId);
    await runInScope(newScope('http', requestId, clientAddress(c, deps.trustProxy === true)), () => next());
    // A reply written straight to Node's response (src/http/raw-reply.ts) was sent with the id already.
    if (c.res !== RESPONSE_ALREADY_SENT && c.res.headers.get('X-Request-Id') !== requestId) {
      try {
        c.res.headers.set('X-Request-Id', requestId);
      } catch {
        c.res = new Response(c.res.body, c.res); // immutable headers (a fetched Response)
        c.res.headers.set('X-Request-Id', requestId);
      }
    }
  });

  // Liveness and readiness for orchestrators: no Origin check, no credentials, no rate limit.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (!deps.readiness) return c.json({ status: 'ready' });
    const report = await deps.readiness.check();
    c.header('Cache-Control', 'no-store');
    return report.ready
      ? c.json({ status: 'ready', ...deps.readinessNote, checkedAt: report.checkedAt })
      : c.json({ status: 'not_ready', reasons: report.reasons, ...deps.readinessNote, checkedAt: report.checkedAt }, 503);
  });

  // DNS-rebinding and cross-site defence for every MCP request (MCP transport spec: 403 on a bad Origin).
  for (const path of MCP_PATHS) {
    app.use(path, async (c, next) => {
      const origin = c.req.header('origin');
      const host = (c.req.header('host') ?? '').toLowerCase();
      if ((origin !== undefined && !origins.has(origin)) || (hosts.size > 0 && !hosts.has(host))) {
        deps.logger.warn({ origin, host }, 'request from a foreign origin or host refused');
        deps.ops?.refused(new Refusal(RpcCode.OriginNotAllowed, 'origin not allowed', { reason: 'foreign Origin or Host' }));
        // The body is not read, so the connection cannot safely carry another request.
        c.header('Connection', 'close');
        return c.json({ jsonrpc: '2.0', id: null, error: { code: RpcCode.OriginNotAllowed, message: 'origin not allowed', data: { hint: 'Add the origin to MCP_ALLOWED_ORIGINS if it is yours.' } } }, 403);
      }
      if (origin !== undefined) for (const [name, value] of Object.entries(corsHeaders(origin))) c.header(name, value);
      await next();
    });
    app.options(path, (c) => {
      c.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
      c.header('Access-Control-Allow-Headers', 'Content-Type, Authorization, Accept, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Session-Id, Last-Event-ID, X-Request-Id');
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    });
    const streamingLimit = bodyLimit({
      maxSize: deps.maxBodyBytes,
      // The rest of the body is never read, so the connection cannot be reused: say so.
      onError: (c) => {
        c.header('Connection', 'close');
        return c.json({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `Request body exceeds ${deps.maxBodyBytes} bytes` } }, 413);
      },
    });
    app.post(path, declaredLengthFirst(deps.maxBodyBytes, streamingLimit), mcpEndpoint({ ...deps, authorizationHeaders }));
    // Stateless: no GET stream (the SDK's would never end) and no session to DELETE.
    app.on(['GET', 'DELETE', 'PUT', 'PATCH'], path, (c) => {
      c.header('Allow', 'POST, OPTIONS');
      return c.json({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Method not allowed: this stateless MCP endpoint takes POST only' } }, 405);
    });
  }

  if (deps.metrics) mountMetrics(app, deps.metrics.metrics, deps.metrics.token);
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
