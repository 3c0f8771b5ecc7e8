import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import scopesJson from '../scopes.json' with { type: 'json' };
import { createApp } from './app.js';
import { createAuthenticator, type Authenticator } from './auth/authenticate.js';
import { createIdentityResolver } from './auth/identity.js';
import { createScopeRegistry, type ScopeRegistry } from './auth/scopes.js';
import { createTokenVerifier } from './auth/token-verifier.js';
import { createCasdoorAdapter, type CasdoorAdapter } from './casdoor/adapter.js';
import { ConfigError, type Config } from './config.js';
import { ExchangeTransport } from './mcp/exchange-transport.js';
import { createToolRegistry, type ToolRegistry } from './mcp/registry.js';
import { isWriteTool } from './mcp/tool.js';
import { createRequestStateSealer } from './mcp/input-required.js';
import { discoverResult } from './mcp/modern.js';
import { createPromptCatalog } from './mcp/prompts.js';
import { createResourceCatalog } from './mcp/resources.js';
import { createMcpServer, INSTRUCTIONS } from './mcp/server.js';
import { createAudit } from './ops/audit.js';
import { createEdgeOps, type EdgeOps } from './ops/edge.js';
import { casdoorProbe, createReadiness, jwksProbe, type Probe, type Readiness } from './ops/health.js';
import { createOperatorPolicy } from './ops/operator-policy.js';
import { createRateLimiter } from './ops/rate-limit.js';
import { instrumentAdapter } from './ops/request-context.js';
import { packageVersion } from './ops/version.js';
// Types only: the sandbox (seeded demo passwords) is loaded only when no Casdoor is configured.
import type { Sandbox } from './sandbox/index.js';
import { fetchDiscovery, resolveDiscovery, type Discovery } from './casdoor/discovery.js';
import { observeAdapter } from './observe/casdoor-calls.js';
import { createMetrics, type Metrics } from './observe/metrics.js';
import { mountMetrics } from './observe/metrics-endpoint.js';
import { createCasdoorRecorder, type CasdoorRecorder } from './observe/records.js';
import { createTelemetry, type Telemetry } from './observe/telemetry.js';
import { createClientCapabilityStore } from './mcp/client-capabilities.js';
import { createSharedCapabilityStore } from './store/capabilities.js';
import { createElicitationRouter } from './store/elicitation-router.js';
import { createSharedRateLimiter } from './store/rate-limit.js';
import { createLocalUsedStates, createSharedUsedStates } from './store/used-states.js';
import type { RedisStore } from './store/redis.js';
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

export interface ResolvedCasdoor {
  endpoint: string;
  clientId: string;
  clientSecret: string;
  organization: string;
  application: string;
}

/** Everything both transports (HTTP and stdio) share, built once from the configuration. */
export interface Core {
  casdoor: ResolvedCasdoor;
  sandbox: Sandbox | undefined;
  issuer: string;
  jwksUrl: string;
  scopes: ScopeRegistry;
  registry: ToolRegistry;
  /** The adapter as configured (the tools get an instrumented one that feeds the audit log). */
  adapter: CasdoorAdapter;
  /** The SDK Server, not yet connected to a transport. */
  mcp: Server;
  ops: EdgeOps;
  readiness: Readiness;
  telemetry: Telemetry;
  metrics: Metrics;
  /** Redis, when REDIS_URL is set: state shared by the instances of a fleet. */
  shared: RedisStore | undefined;
  /** Bearer tokens must name `publicUrl` (when there is one) or the server's own client id as audience. */
  authenticator(publicUrl: string | undefined): Authenticator;
  close(): Promise<void>;
}

export type { Discovery } from './casdoor/discovery.js';

/** Casdoor's OIDC discovery names the issuer and JWKS; configured values win. Falls back to Casdoor's fixed paths. */
export async function discover(endpoint: string, config: { issuer?: string | undefined; jwksUrl?: string | undefined }, logger: Logger): Promise<Discovery> {
  // Both configured: no discovery (introspection then uses Casdoor's fixed path).
  if (config.issuer && config.jwksUrl) return resolveDiscovery(endpoint, config, undefined);
  const found = await fetchDiscovery(endpoint, 5_000);
  if (!found.ok) logger.warn({ endpoint, reason: found.reason }, 'Casdoor OIDC discovery failed; using the default issuer and JWKS paths');
  return resolveDiscovery(endpoint, config, found.ok ? found.doc : undefined);
}

export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1']);

/** Refuses the sandbox behind a non-loopback HOST unless allowed, then loads and starts it. */
export async function loadSandbox(config: Config): Promise<Sandbox> {
  if (!LOOPBACK_HOSTS.has(config.host) && !config.sandbox.allowNonLoopback) {
    throw new ConfigError(
      'HOST',
      `${config.host} is not a loopback address, and without CASDOOR_ENDPOINT the server would run the built-in sandbox Casdoor, ` +
        'whose demo users have published passwords. Set CASDOOR_ENDPOINT to a real Casdoor, use HOST=127.0.0.1, or set SANDBOX_ALLOW_NON_LOOPBACK=true to expose the sandbox anyway',
    );
  }
  const { startSandbox } = await import('./sandbox/index.js');
  const { dataDir, port, fresh } = config.sandbox;
  try {
    return await startSandbox({ host: '127.0.0.1', port, requestLogLimit: 10_000, demo: true, ...(dataDir ? { dataDir, fresh } : {}) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new ConfigError('SANDBOX_PORT', `the sandbox's port ${port} on 127.0.0.1 is already in use (another casdoor-mcp?): stop it, or pick other ports, e.g. PORT=4000 npm start (the sandbox then takes 4001), or SANDBOX_PORT=0 for any free port`);
  }
}

/**
 * Builds what serve and stdio share: Casdoor (or the sandbox), the tool registry narrowed by the
 * operator, the SDK Server, audit, rate limits, readiness. Throws ConfigError for settings that
 * can only be checked against the tools (MCP_TOOLS).
 */
export async function createCore(config: Config, logger: Logger, extraProbes: readonly Probe[] = []): Promise<Core> {
  const scopes = createScopeRegistry(scopesJson, TOOLS.map((t) => t.name));
  const operator = createOperatorPolicy(config.operator, TOOLS.map((t) => t.name));
  const registry = createToolRegistry(TOOLS, scopes, operator);

  const sandbox = config.casdoor ? undefined : await loadSandbox(config);
  const casdoor: ResolvedCasdoor = config.casdoor ?? {
    endpoint: sandbox!.url,
    clientId: sandbox!.demo.clientId,
    clientSecret: sandbox!.demo.clientSecret,
    organization: sandbox!.demo.organization,
    application: sandbox!.demo.application,
  };
  const configured = config.casdoor ?? { issuer: sandbox!.issuer, jwksUrl: undefined };
  const { issuer, jwksUrl, introspectionUrl } = await discover(casdoor.endpoint, configured, logger);

  // Only the server's own application's certificate is trusted, not every organization's (/.well-known/jwks).
  const appJwksUrl = config.casdoor?.jwksUrl ?? `${casdoor.endpoint}/.well-known/${encodeURIComponent(casdoor.application)}/jwks`;
  const adapter = createCasdoorAdapter({ ...casdoor, timeoutMs: config.casdoorTimeoutMs });
  // Both load their libraries only when configured (dynamic import), so the defaults cost nothing.
  const telemetry = await createTelemetry({ ...config.telemetry, serviceVersion: packageVersion() }, logger);
  const { endpoint, headers, serviceName, metricIntervalMs } = config.telemetry;
  const metrics = await createMetrics({
    prometheus: config.metrics.token !== undefined || config.metrics.port !== undefined,
    otlp: endpoint ? { endpoint, headers, serviceName, serviceVersion: packageVersion(), intervalMs: metricIntervalMs } : undefined,
  }, logger);
  const observed = observeAdapter(adapter, casdoor.endpoint, telemetry, metrics);
  // ioredis only with REDIS_URL: loading it costs about 20 MB of RSS.
  const shared = config.redisUrl
    ? await (await import('./store/redis.js')).connectRedis({ url: config.redisUrl, logger, onState: (up) => metrics.sharedStoreUp(up) })
    : undefined;
  // Confirmations of the 2026 era are sealed with a key every instance of a deployment derives alike.
  const requestState = createRequestStateSealer(casdoor.clientSecret);
  // Each sealed state is good for one retry, across instances when they share Redis.
  const usedRequestStates = shared ? createSharedUsedStates(shared, createLocalUsedStates()) : createLocalUsedStates();
  // Client ids no application may be given through this server: accepted audiences and trusted clients.
  const reservedClientIds = new Set([casdoor.clientId, ...config.allowedAudiences, ...config.identity.trustedClients]);
  const prompts = createPromptCatalog(registry);
  const resources = createResourceCatalog(scopes, registry);
  const mcp = createMcpServer({ registry, prompts, resources, casdoor: instrumentAdapter(observed), logger, version: packageVersion(), requestState, usedRequestStates, reservedClientIds });
  // Protocol-level faults (a message the SDK could not handle, a reply deadline passed) are bugs to see.
  mcp.onerror = (err) => logger.error({ reason: err.message }, 'MCP protocol error');
  // The raw adapter: a record is not a call of the request it describes (no span, no audit counts).
  const records: CasdoorRecorder | undefined = config.casdoorRecords
    ? createCasdoorRecorder({
        casdoor: adapter,
        isWrite: (name) => {
          const tool = registry.get(name);
          return tool !== undefined && isWriteTool(tool);
        },
        ownOrganization: casdoor.organization,
        mcpPath: config.publicUrl ? new URL(config.publicUrl).pathname : '/mcp',
        metrics,
        logger,
      })
    : undefined;
  const limited = config.rateLimit.readsPerMinute > 0 || config.rateLimit.writesPerMinute > 0;
  const ops = createEdgeOps({
    audit: createAudit(logger, records?.sink),
    limiter: !limited ? undefined : shared ? createSharedRateLimiter(shared, config.rateLimit, createRateLimiter(config.rateLimit)) : createRateLimiter(config.rateLimit),
    registry,
    telemetry,
    metrics,
  });
  const readiness = createReadiness([casdoorProbe(adapter, casdoor.organization), jwksProbe(appJwksUrl), ...extraProbes], config.readinessCacheSeconds * 1000, Date.now, (details) =>
    logger.warn({ details }, 'not ready'),
  );

  return {
    casdoor,
    sandbox,
    issuer,
    jwksUrl,
    scopes,
    registry,
    adapter,
    mcp,
    ops,
    readiness,
    telemetry,
    metrics,
    shared,
    authenticator(publicUrl) {
      // A trusted client's client_credentials token carries aud = [its client id] (Casdoor ignores resource).
      const audiences = [casdoor.clientId, ...config.allowedAudiences, ...config.identity.trustedClients];
      if (publicUrl) audiences.push(publicUrl, `${new URL(publicUrl).origin}/api/mcp`);
      for (const aud of audiences) reservedClientIds.add(aud);
      const accepted = [...new Set(audiences)];
      const { trustedCerts, trustedClients, maxTokenBytes, cacheSeconds } = config.identity;
      const verifier = createTokenVerifier({
        issuer,
        audiences: accepted,
        jwksUrl: new URL(appJwksUrl),
        globalJwks: { url: new URL(jwksUrl), kids: trustedCerts },
        maxTokenBytes,
      });
      const resolve = createIdentityResolver({
        casdoor: observed,
        own: { clientId: casdoor.clientId, application: casdoor.application },
        trustedClients,
        audiences: accepted,
        introspectionUrl,
      });
      return createAuthenticator({
        verifier, scopes, casdoor: observed, resolve, cacheTtlMs: cacheSeconds * 1000,
        ...(metrics.enabled ? { onLookup: (credential, result) => metrics.identityCache(credential, result) } : {}),
      });
    },
    async close() {
      await mcp.close();
      // Records still queued get one Casdoor timeout to go out; then they are lost, as the spans are.
      if (records) await Promise.race([records.drain(), new Promise((resolve) => setTimeout(resolve, config.casdoorTimeoutMs).unref())]);
      await telemetry.shutdown();
      await metrics.shutdown();
      await shared?.close();
      await sandbox?.stop();
    },
  };
}

/** Node answers oversized headers with a bare 431; say what happened, in JSON-RPC, like every other refusal. */
function headerTooLarge(err: Error & { code?: string }, socket: import('node:stream').Duplex): void {
  if (!socket.writable) return void socket.destroy();
  if (err.code !== 'HPE_HEADER_OVERFLOW') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const body = JSON.stringify({
    jsonrpc: '2.0', id: null,
    error: { code: -32600, message: 'Request headers too large: the access token or cookies exceed the server limit (MCP_MAX_TOKEN_BYTES)' },
  });
  socket.end(`HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** Starts the HTTP server (and the sandbox Casdoor when none is configured). Everything it needs comes in. */
export async function startServer(config: Config, logger: Logger, extraProbes: readonly Probe[] = []): Promise<RunningServer> {
  const core = await createCore(config, logger, extraProbes);
  const local = createClientCapabilityStore();
  const exchange = new ExchangeTransport({ clients: core.shared ? createSharedCapabilityStore(core.shared, local) : local });
  await core.mcp.connect(exchange);
  const elicitations = await createElicitationRouter(exchange, core.shared, logger);

  // Listen first: with PORT=0 the public URL is known only once the port is.
  let app: Hono | undefined;
  let server: ServerType;
  try {
    server = await new Promise((resolve, reject) => {
      // Room for the longest accepted token plus ordinary headers; above it, a 431 with a JSON-RPC body.
      const serverOptions = { maxHeaderSize: config.identity.maxTokenBytes + 16 * 1024 };
      const s = serve({ fetch: (req, env) => app!.fetch(req, env), hostname: config.host, port: config.port, serverOptions }, () => resolve(s));
      s.once('error', reject);
      s.on('clientError', headerTooLarge);
    });
  } catch (err) {
    await core.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const next = config.port === 0 ? 0 : config.port + 10;
      throw new ConfigError('PORT', `port ${config.port} on ${config.host} is already in use (another casdoor-mcp?): stop it, or pick another port with PORT=${next} npm start, or casdoor-mcp serve --port ${next} (0 picks any free port)`);
    }
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const origin = `http://${hostForUrl}:${port}`;
  const publicUrl = config.publicUrl ?? `${origin}/mcp`;
  const publicHost = new URL(publicUrl).host.toLowerCase();
  const allowedHosts = LOOPBACK_HOSTS.has(config.host) ? [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, publicHost] : [];

  app = createApp({
    publicUrl,
    issuer: core.issuer,
    canonicalScopes: core.scopes.canonical,
    allowedOrigins: config.allowedOrigins,
    allowedHosts,
    maxBodyBytes: config.maxBodyBytes,
    authenticator: core.authenticator(publicUrl),
    registry: core.registry,
    exchange,
    logger,
    ops: core.ops,
    discover: discoverResult({ name: 'casdoor-mcp', title: 'Casdoor MCP server', version: packageVersion(), instructions: INSTRUCTIONS }),
    readiness: core.readiness,
    ...(core.sandbox ? { readinessNote: { casdoor: 'built-in sandbox (demo data, not a real Casdoor)' } } : {}),
    trustProxy: config.trustProxy,
    elicitations,
    ...(config.metrics.token ? { metrics: { metrics: core.metrics, token: config.metrics.token } } : {}),
  });
  let metricsServer: ServerType | undefined;
  try {
    if (config.metrics.port !== undefined) metricsServer = await listenMetrics(core.metrics, config.host, config.metrics.port);
  } catch (err) {
    server.close();
    await core.close();
    throw err;
  }
  logger.info(
    { url: publicUrl, issuer: core.issuer, casdoor: core.casdoor.endpoint, sandbox: Boolean(core.sandbox), operator: describeOperator(config) },
    'casdoor-mcp listening',
  );

  return {
    url: publicUrl,
    origin,
    issuer: core.issuer,
    casdoorEndpoint: core.casdoor.endpoint,
    clientId: core.casdoor.clientId,
    sandbox: core.sandbox,
    async close() {
      for (const s of [server, metricsServer]) {
        if (!s) continue;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
      }
      await core.close();
    },
  };
}

/** MCP_METRICS_PORT: /metrics alone on a port of its own (reach it only from the scraper's network). */
async function listenMetrics(metrics: Metrics, host: string, port: number): Promise<ServerType> {
  const app = new Hono();
  mountMetrics(app, metrics, undefined);
  return new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** The operator's narrowing, for the start log line. */
export function describeOperator(config: Config): Record<string, unknown> {
  const o = config.operator;
  return {
    readOnly: o.readOnly,
    ...(o.tools ? { tools: o.tools } : {}),
    ...(o.allowedOrganizations ? { allowedOrganizations: o.allowedOrganizations } : {}),
    rateLimit: config.rateLimit,
    identityCacheSeconds: config.identity.cacheSeconds,
    ...(config.identity.trustedClients.length ? { trustedClients: config.identity.trustedClients } : {}),
    ...(config.identity.trustedCerts.length ? { trustedCerts: config.identity.trustedCerts } : {}),
  };
}
