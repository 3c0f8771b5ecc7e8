import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import scopesJson from '../scopes.json' with { type: 'json' };
import pkg from '../package.json' with { type: 'json' };
import { createApp } from './app.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createScopeRegistry } from './auth/scopes.js';
import { createTokenVerifier } from './auth/token-verifier.js';
import { createCasdoorAdapter } from './casdoor/adapter.js';
import type { Config } from './config.js';
import { ExchangeTransport } from './mcp/exchange-transport.js';
import { createToolRegistry } from './mcp/registry.js';
import { createMcpServer } from './mcp/server.js';
import { startSandbox, type Sandbox } from './sandbox/index.js';
import { TOOLS } from './tools/index.js';

export interface RunningServer {
  /** The MCP endpoint URL clients use (MCP_PUBLIC_URL, or the listening address + /mcp). */
  url: string;
  /** Where the HTTP server listens, e.g. http://127.0.0.1:3000. */
  origin: string;
  issuer: string;
  casdoorEndpoint: string;
  clientId: string;
  /** The built-in sandbox, when no CASDOOR_ENDPOINT was configured. */
  sandbox: Sandbox | undefined;
  close(): Promise<void>;
}

interface Discovery {
  issuer: string;
  jwksUrl: string;
}

/** Casdoor's OIDC discovery names the issuer and JWKS; configured values win. Falls back to Casdoor's fixed paths. */
async function discover(endpoint: string, config: { issuer?: string; jwksUrl?: string }, logger: Logger): Promise<Discovery> {
  if (config.issuer && config.jwksUrl) return { issuer: config.issuer, jwksUrl: config.jwksUrl };
  try {
    const res = await fetch(`${endpoint}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) });
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof doc.issuer === 'string' && typeof doc.jwks_uri === 'string') {
      return { issuer: config.issuer ?? doc.issuer.replace(/\/+$/, ''), jwksUrl: config.jwksUrl ?? doc.jwks_uri };
    }
  } catch (err) {
    logger.warn({ endpoint, reason: (err as Error).message }, 'Casdoor OIDC discovery failed; using the default issuer and JWKS paths');
  }
  return { issuer: config.issuer ?? endpoint, jwksUrl: config.jwksUrl ?? `${endpoint}/.well-known/jwks` };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Starts the server (and the sandbox Casdoor when none is configured). Everything it needs comes in. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const sandbox = config.casdoor ? undefined : await startSandbox({ host: '127.0.0.1', port: 0 });
  const casdoor = config.casdoor ?? {
    endpoint: sandbox!.url,
    clientId: sandbox!.demo.clientId,
    clientSecret: sandbox!.demo.clientSecret,
    organization: sandbox!.demo.organization,
    application: sandbox!.demo.application,
    issuer: sandbox!.issuer,
    jwksUrl: undefined,
  };
  const { issuer, jwksUrl } = await discover(casdoor.endpoint, { issuer: casdoor.issuer, jwksUrl: casdoor.jwksUrl }, logger);

  const scopes = createScopeRegistry(scopesJson, TOOLS.map((t) => t.name));
  const registry = createToolRegistry(TOOLS, scopes);
  const adapter = createCasdoorAdapter({ ...casdoor, timeoutMs: config.casdoorTimeoutMs });
  const exchange = new ExchangeTransport();
  const mcp = createMcpServer({ registry, casdoor: adapter, logger, version: pkg.version });
  await mcp.connect(exchange);

  // Listen first: with PORT=0 the public URL is known only once the port is.
  let app: Hono | undefined;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: (req, env) => app!.fetch(req, env), hostname: config.host, port: config.port }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const origin = `http://${hostForUrl}:${port}`;
  const publicUrl = config.publicUrl ?? `${origin}/mcp`;
  const publicHost = new URL(publicUrl).host.toLowerCase();
  const allowedHosts = LOOPBACK.has(config.host) ? [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, publicHost] : [];

  const verifier = createTokenVerifier({
    issuer,
    audiences: [...new Set([publicUrl, `${new URL(publicUrl).origin}/api/mcp`, casdoor.clientId, ...config.allowedAudiences])],
    jwksUrl: new URL(jwksUrl),
  });
  app = createApp({
    publicUrl,
    issuer,
    canonicalScopes: scopes.canonical,
    allowedOrigins: config.allowedOrigins,
    allowedHosts,
    maxBodyBytes: config.maxBodyBytes,
    authenticator: createAuthenticator({ verifier, scopes, casdoor: adapter }),
    registry,
    exchange,
    logger,
  });
  logger.info({ url: publicUrl, issuer, casdoor: casdoor.endpoint, sandbox: Boolean(sandbox) }, 'casdoor-mcp listening');

  return {
    url: publicUrl,
    origin,
    issuer,
    casdoorEndpoint: casdoor.endpoint,
    clientId: casdoor.clientId,
    sandbox,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await mcp.close();
      await sandbox?.stop();
    },
  };
}
