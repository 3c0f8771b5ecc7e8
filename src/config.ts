import { z } from 'zod';

/** Thrown by loadConfig with one line naming the variable and what it expects. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const httpUrl = z
  .string()
  .trim()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'expected an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));
const list = z
  .string()
  .trim()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), 'expected true or false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
/** on/off, or any of the boolean spellings. */
const toggle = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'].includes(v), 'expected on or off')
  .transform((v) => v === 'on' || v === 'true' || v === '1' || v === 'yes');
const names = (what: string, pattern: RegExp) =>
  list.refine((v) => v.length > 0 && v.every((n) => pattern.test(n)), `expected a comma-separated list of ${what}`);
const perMinute = z.coerce.number().int().min(0).max(1_000_000);

/**
 * Every environment variable the server reads. Each is documented in README.md and .env.example
 * (a test checks both); nothing else in the code reads process.env.
 */
const EnvSchema = z.object({
  /** Casdoor's base URL. Unset: start the built-in sandbox Casdoor on loopback instead. */
  CASDOOR_ENDPOINT: httpUrl.optional(),
  /** The server's own Casdoor application (client_credentials): every Casdoor call authenticates as it. */
  CASDOOR_CLIENT_ID: z.string().trim().min(1).optional(),
  CASDOOR_CLIENT_SECRET: z.string().trim().min(1).optional(),
  CASDOOR_ORGANIZATION: z.string().trim().min(1).default('built-in'),
  CASDOOR_APPLICATION: z.string().trim().min(1).optional(),
  /** Expected `iss`; Casdoor derives it from its origin setting or the Host header, so it can differ from the endpoint. */
  CASDOOR_ISSUER: httpUrl.optional(),
  /** Overrides the jwks_uri found through Casdoor's OIDC discovery. */
  CASDOOR_JWKS_URL: httpUrl.optional(),
  CASDOOR_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** The access token `casdoor-mcp stdio` acts with (verified and scope-checked like a bearer token). */
  CASDOOR_MCP_TOKEN: z.string().trim().min(1).optional(),
  /** The public URL of the MCP endpoint, e.g. https://mcp.example.com/mcp: the RFC 8707 resource and PRM `resource`. */
  MCP_PUBLIC_URL: httpUrl.optional(),
  /** Extra accepted `aud` values besides the public URL and the server's own client id. */
  MCP_ALLOWED_AUDIENCES: list.default([]),
  /** Browser origins allowed besides the server's own (others get 403: DNS rebinding and CSRF defence). */
  MCP_ALLOWED_ORIGINS: list.default([]),
  MCP_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Operator narrowing that no caller can widen. */
  MCP_READ_ONLY: bool.default(false),
  MCP_TOOLS: names('tool names', /^[a-z][a-z0-9_]*$/).optional(),
  MCP_TOOLSETS: names('toolset names', /^[a-z]+$/).optional(),
  MCP_ALLOWED_ORGANIZATIONS: names('organization names', /^[^/\s,]+$/).optional(),
  /** Per caller and minute; 0 disables the limit. */
  MCP_RATE_LIMIT_READS_PER_MINUTE: perMinute.default(600),
  MCP_RATE_LIMIT_WRITES_PER_MINUTE: perMinute.default(60),
  /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry. */
  MCP_TRUST_PROXY: bool.default(false),
  /** How long who a credential belongs to, as Casdoor answered, is reused (docs/security.md). */
  MCP_IDENTITY_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(30),
  /** Client ids whose client_credentials tokens act as applications, besides the server's own. */
  MCP_TRUSTED_CLIENTS: list.default([]),
  /** Certificates (kids of Casdoor's global JWKS) trusted besides the server's own application's. */
  MCP_TRUSTED_CERTS: list.default([]),
  /** Longer bearer tokens are refused with 401 (Casdoor's JWT format carries roles and permissions). */
  MCP_MAX_TOKEN_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024).default(64 * 1024),
  /** How long /readyz reuses its last probe of Casdoor and the JWKS. */
  MCP_READINESS_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  /** The sandbox exposes demo users with published passwords: only on loopback unless this says otherwise. */
  SANDBOX_ALLOW_NON_LOOPBACK: bool.default(false),
  /** Where the sandbox keeps keys, clients and data across restarts; "off" keeps it in memory. */
  SANDBOX_DATA_DIR: z.string().trim().min(1).optional(),
  /** The sandbox's own port (its issuer URL, which tokens name): stable, so stored tokens survive restarts. */
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Shared state for a fleet (rate limits, client capabilities, elicitation routing); unset: this process only. */
  REDIS_URL: z.string().trim().refine((v) => URL.canParse(v) && /^rediss?:$/.test(new URL(v).protocol), 'expected a redis:// or rediss:// URL').optional(),
  /** Prometheus metrics: /metrics on the MCP port behind this bearer token, and/or on a port of their own. */
  MCP_METRICS_TOKEN: z.string().trim().min(16, 'expected at least 16 characters').optional(),
  MCP_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** OTLP/HTTP (protobuf) base URL: traces go to <url>/v1/traces (Casdoor: https://casdoor.example.com/api). */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  /** Each write tool call also recorded in Casdoor (add-record), naming the caller: Casdoor's own UI shows it. */
  CASDOOR_RECORDS: toggle.default(false),
  OTEL_EXPORTER_OTLP_HEADERS: z.string().trim().refine((v) => v.split(',').every((p) => /^[^=\s]+=.+$/.test(p.trim())), 'expected key=value pairs, comma-separated').optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('casdoor-mcp'),
  /** How often metrics are exported over OTLP, ms (the OpenTelemetry SDK's own variable). */
  OTEL_METRIC_EXPORT_INTERVAL: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** The share of new traces recorded (0 to 1); a caller's sampled traceparent is always followed. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
});

export type VariableName = keyof typeof EnvSchema.shape;

export interface VariableDoc {
  name: VariableName;
  /** The command-line flag that overrides it (without the leading --). */
  flag: string;
  boolean?: true;
  /** Shown in --help, README and .env.example. */
  default: string;
  description: string;
  /** Values better kept out of command lines (visible to other local users in `ps`). */
  secret?: true;
}

/** The documentation of every variable, in the order --help shows them. A test keeps it complete. */
export const VARIABLES: readonly VariableDoc[] = [
  { name: 'CASDOOR_ENDPOINT', flag: 'casdoor-endpoint', default: '(unset: built-in sandbox)', description: "Casdoor's base URL" },
  { name: 'CASDOOR_CLIENT_ID', flag: 'casdoor-client-id', default: '(required with an endpoint)', description: "the server's own Casdoor application's client id" },
  { name: 'CASDOOR_CLIENT_SECRET', flag: 'casdoor-client-secret', default: '(required with an endpoint)', description: "that application's client secret", secret: true },
  { name: 'CASDOOR_APPLICATION', flag: 'casdoor-application', default: '(required with an endpoint)', description: "that application's name" },
  { name: 'CASDOOR_ORGANIZATION', flag: 'casdoor-organization', default: 'built-in', description: "that application's organization" },
  { name: 'CASDOOR_ISSUER', flag: 'casdoor-issuer', default: '(from discovery)', description: 'expected token issuer (iss)' },
  { name: 'CASDOOR_JWKS_URL', flag: 'casdoor-jwks-url', default: '(from discovery)', description: "Casdoor's JWKS URL" },
  { name: 'CASDOOR_TIMEOUT_MS', flag: 'casdoor-timeout-ms', default: '10000', description: 'timeout of each Casdoor call, ms' },
  { name: 'CASDOOR_MCP_TOKEN', flag: 'token', default: '(none)', description: 'stdio only: the access token the stdio server acts with', secret: true },
  { name: 'MCP_PUBLIC_URL', flag: 'public-url', default: 'http://HOST:PORT/mcp', description: 'public URL of the MCP endpoint (the OAuth resource)' },
  { name: 'MCP_ALLOWED_AUDIENCES', flag: 'allowed-audiences', default: '(none)', description: 'extra accepted token aud values, comma-separated' },
  { name: 'MCP_ALLOWED_ORIGINS', flag: 'allowed-origins', default: '(none)', description: 'browser origins allowed besides the server\'s own, comma-separated' },
  { name: 'MCP_MAX_BODY_BYTES', flag: 'max-body-bytes', default: '1048576', description: 'request body limit, bytes' },
  { name: 'MCP_READ_ONLY', flag: 'read-only', boolean: true, default: 'false', description: 'remove every write tool for every caller' },
  { name: 'MCP_TOOLS', flag: 'tools', default: '(all tools)', description: 'allow-list of tool names, comma-separated' },
  { name: 'MCP_TOOLSETS', flag: 'toolsets', default: '(all families)', description: 'families offered (applications, users, organizations, roles, permissions, providers, tokens, groups), comma-separated' },
  { name: 'MCP_ALLOWED_ORGANIZATIONS', flag: 'allowed-organizations', default: '(all)', description: 'organizations any caller may act on, comma-separated' },
  { name: 'MCP_RATE_LIMIT_READS_PER_MINUTE', flag: 'rate-limit-reads-per-minute', default: '600', description: 'requests per caller and minute that are not write tool calls; 0 = no limit' },
  { name: 'MCP_RATE_LIMIT_WRITES_PER_MINUTE', flag: 'rate-limit-writes-per-minute', default: '60', description: 'write tool calls per caller and minute; 0 = no limit' },
  { name: 'MCP_TRUST_PROXY', flag: 'trust-proxy', boolean: true, default: 'false', description: 'client address = last X-Forwarded-For entry (set only behind your proxy)' },
  { name: 'MCP_IDENTITY_CACHE_SECONDS', flag: 'identity-cache-seconds', default: '30', description: 'how long Casdoor\'s answer about a token or cookie is reused (0-60)' },
  { name: 'MCP_TRUSTED_CLIENTS', flag: 'trusted-clients', default: '(none)', description: 'client ids whose client_credentials tokens act as applications, besides the server\'s own' },
  { name: 'MCP_TRUSTED_CERTS', flag: 'trusted-certs', default: '(none)', description: 'certificate names of Casdoor\'s JWKS trusted besides the own application\'s' },
  { name: 'MCP_MAX_TOKEN_BYTES', flag: 'max-token-bytes', default: '65536', description: 'longest bearer token accepted, bytes' },
  { name: 'MCP_READINESS_CACHE_SECONDS', flag: 'readiness-cache-seconds', default: '5', description: 'how long /readyz reuses its probe of Casdoor and the JWKS' },
  { name: 'SANDBOX_ALLOW_NON_LOOPBACK', flag: 'sandbox-allow-non-loopback', boolean: true, default: 'false', description: 'allow the built-in sandbox (demo passwords) behind a non-loopback HOST' },
  { name: 'SANDBOX_DATA_DIR', flag: 'sandbox-data-dir', default: '.sandbox (serve); off = in memory', description: 'folder where the sandbox keeps keys, clients and data across restarts' },
  { name: 'SANDBOX_PORT', flag: 'sandbox-port', default: 'PORT + 1 (0 when PORT is 0)', description: "the sandbox's port, part of its issuer URL" },
  { name: 'HOST', flag: 'host', default: '127.0.0.1', description: 'listen address' },
  { name: 'PORT', flag: 'port', default: '3000', description: 'listen port (0 = any free port)' },
  { name: 'REDIS_URL', flag: 'redis-url', default: '(none: state in this process)', description: 'Redis for state shared by several instances (docs/operations.md)', secret: true },
  { name: 'MCP_METRICS_TOKEN', flag: 'metrics-token', default: '(none)', description: 'serve Prometheus /metrics on the MCP port to this bearer token', secret: true },
  { name: 'MCP_METRICS_PORT', flag: 'metrics-port', default: '(none)', description: 'serve Prometheus /metrics on this port of HOST, without a token' },
  { name: 'CASDOOR_RECORDS', flag: 'casdoor-records', default: 'off', description: 'record each write tool call in Casdoor (its records API), naming the caller: on or off' },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', flag: 'otel-endpoint', default: '(none: no tracing)', description: 'OTLP/HTTP base URL for traces, e.g. https://casdoor.example.com/api' },
  { name: 'OTEL_EXPORTER_OTLP_HEADERS', flag: 'otel-headers', default: '(none)', description: 'headers sent with each export, key=value comma-separated', secret: true },
  { name: 'OTEL_SERVICE_NAME', flag: 'otel-service-name', default: 'casdoor-mcp', description: 'service.name of the exported spans' },
  { name: 'OTEL_METRIC_EXPORT_INTERVAL', flag: 'otel-metric-interval', default: '60000', description: 'how often metrics are exported over OTLP, ms' },
  { name: 'OTEL_TRACES_SAMPLER_ARG', flag: 'otel-sample-ratio', default: '1', description: 'share of new traces recorded, 0-1 (a sampled parent is always followed)' },
  { name: 'LOG_LEVEL', flag: 'log-level', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent; JSON lines on stderr' },
];

export interface OperatorSettings {
  /** Every write tool removed, for every caller. */
  readOnly: boolean;
  /** Allow-list of tool names; undefined = every tool. */
  tools: readonly string[] | undefined;
  /** Organizations any caller may act on; undefined = all. */
  allowedOrganizations: readonly string[] | undefined;
  /** The tool families offered (MCP_TOOLSETS), or undefined for all; combined with `tools`. */
  toolsets?: readonly string[] | undefined;
}

/** A configured Casdoor and the server's own application in it. */
export interface CasdoorTarget {
  endpoint: string;
  clientId: string;
  clientSecret: string;
  organization: string;
  application: string;
  issuer: string | undefined;
  jwksUrl: string | undefined;
}

export interface Config {
  /** Undefined when the sandbox is to be started. */
  casdoor: CasdoorTarget | undefined;
  casdoorTimeoutMs: number;
  publicUrl: string | undefined;
  allowedAudiences: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
  operator: OperatorSettings;
  /** Per caller and minute; 0 = unlimited. */
  rateLimit: { readsPerMinute: number; writesPerMinute: number };
  trustProxy: boolean;
  /** Who a credential is, asked of Casdoor (docs/security.md). */
  identity: { cacheSeconds: number; trustedClients: string[]; trustedCerts: string[]; maxTokenBytes: number };
  readinessCacheSeconds: number;
  /** CASDOOR_MCP_TOKEN, for the stdio command. */
  stdioToken: string | undefined;
  /** The built-in sandbox, used when casdoor is undefined. */
  sandbox: { allowNonLoopback: boolean; dataDir: string | undefined; port: number; fresh: boolean };
  host: string;
  port: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  redisUrl: string | undefined;
  /** Prometheus metrics: enabled when either is set. */
  metrics: { token: string | undefined; port: number | undefined };
  telemetry: { endpoint: string | undefined; headers: Record<string, string>; serviceName: string; sampleRatio: number; metricIntervalMs: number };
  /** CASDOOR_RECORDS: write tool calls recorded in Casdoor through add-record (docs/operations.md). */
  casdoorRecords: boolean;
}

/** Reads and validates the environment once. Throws ConfigError on the first bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  for (const name of ['MCP_TOKEN_INTROSPECTION', 'MCP_TOKEN_INTROSPECTION_CACHE_SECONDS']) {
    if (cleaned[name] !== undefined) {
      throw new ConfigError(name, 'removed: every token is now resolved through Casdoor (introspection and get-account); unset it, and use MCP_IDENTITY_CACHE_SECONDS for the cache');
    }
  }
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'invalid');
  }
  const e = parsed.data;
  let casdoor: Config['casdoor'];
  if (e.CASDOOR_ENDPOINT) {
    for (const name of ['CASDOOR_CLIENT_ID', 'CASDOOR_CLIENT_SECRET', 'CASDOOR_APPLICATION'] as const) {
      if (!e[name]) throw new ConfigError(name, 'required when CASDOOR_ENDPOINT is set');
    }
    casdoor = {
      endpoint: e.CASDOOR_ENDPOINT,
      clientId: e.CASDOOR_CLIENT_ID!,
      clientSecret: e.CASDOOR_CLIENT_SECRET!,
      organization: e.CASDOOR_ORGANIZATION,
      application: e.CASDOOR_APPLICATION!,
      issuer: e.CASDOOR_ISSUER,
      jwksUrl: e.CASDOOR_JWKS_URL,
    };
  } else {
    for (const name of ['CASDOOR_CLIENT_ID', 'CASDOOR_CLIENT_SECRET', 'CASDOOR_ISSUER', 'CASDOOR_JWKS_URL'] as const) {
      if (e[name]) throw new ConfigError(name, 'set CASDOOR_ENDPOINT too, or unset it to use the built-in sandbox');
    }
  }
  return {
    casdoor,
    casdoorTimeoutMs: e.CASDOOR_TIMEOUT_MS,
    publicUrl: e.MCP_PUBLIC_URL,
    allowedAudiences: e.MCP_ALLOWED_AUDIENCES,
    allowedOrigins: e.MCP_ALLOWED_ORIGINS.map((o) => o.replace(/\/+$/, '')),
    maxBodyBytes: e.MCP_MAX_BODY_BYTES,
    operator: { readOnly: e.MCP_READ_ONLY, tools: e.MCP_TOOLS, toolsets: e.MCP_TOOLSETS, allowedOrganizations: e.MCP_ALLOWED_ORGANIZATIONS },
    rateLimit: { readsPerMinute: e.MCP_RATE_LIMIT_READS_PER_MINUTE, writesPerMinute: e.MCP_RATE_LIMIT_WRITES_PER_MINUTE },
    trustProxy: e.MCP_TRUST_PROXY,
    identity: {
      cacheSeconds: e.MCP_IDENTITY_CACHE_SECONDS,
      trustedClients: e.MCP_TRUSTED_CLIENTS,
      trustedCerts: e.MCP_TRUSTED_CERTS,
      maxTokenBytes: e.MCP_MAX_TOKEN_BYTES,
    },
    readinessCacheSeconds: e.MCP_READINESS_CACHE_SECONDS,
    stdioToken: e.CASDOOR_MCP_TOKEN,
    sandbox: {
      allowNonLoopback: e.SANDBOX_ALLOW_NON_LOOPBACK,
      dataDir: e.SANDBOX_DATA_DIR === 'off' ? undefined : e.SANDBOX_DATA_DIR,
      port: e.SANDBOX_PORT ?? (e.PORT === 0 || e.PORT === 65535 ? 0 : e.PORT + 1),
      /** Set by `serve --fresh`, not by the environment. */
      fresh: false,
    },
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    metrics: { token: e.MCP_METRICS_TOKEN, port: e.MCP_METRICS_PORT },
    telemetry: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, headers: otlpHeaders(e.OTEL_EXPORTER_OTLP_HEADERS), serviceName: e.OTEL_SERVICE_NAME, sampleRatio: e.OTEL_TRACES_SAMPLER_ARG, metricIntervalMs: e.OTEL_METRIC_EXPORT_INTERVAL },
    casdoorRecords: e.CASDOOR_RECORDS,
  };
}

/** OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry spec writes it: key=value pairs, values URL-encoded. */
function otlpHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw?.split(',') ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const value = pair.slice(at + 1).trim();
    try {
      out[pair.slice(0, at).trim()] = decodeURIComponent(value);
    } catch {
      out[pair.slice(0, at).trim()] = value; // not URL-encoded after all
    }
  }
  return out;
}

/** The variable names the schema knows (a test checks VARIABLES documents exactly these). */
export const VARIABLE_NAMES: readonly VariableName[] = Object.keys(EnvSchema.shape) as VariableName[];
