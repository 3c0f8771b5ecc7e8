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

/**
 * Every environment variable the server reads. Each is documented in README.md and .env.example;
 * nothing else in the code reads process.env.
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
  /** The public URL of the MCP endpoint, e.g. https://mcp.example.com/mcp: the RFC 8707 resource and PRM `resource`. */
  MCP_PUBLIC_URL: httpUrl.optional(),
  /** Extra accepted `aud` values besides the public URL and the server's own client id. */
  MCP_ALLOWED_AUDIENCES: list.default([]),
  /** Browser origins allowed besides the server's own (others get 403: DNS rebinding and CSRF defence). */
  MCP_ALLOWED_ORIGINS: list.default([]),
  MCP_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  /** Undefined when the sandbox is to be started. */
  casdoor:
    | {
        endpoint: string;
        clientId: string;
        clientSecret: string;
        organization: string;
        application: string;
        issuer: string | undefined;
        jwksUrl: string | undefined;
      }
    | undefined;
  casdoorTimeoutMs: number;
  publicUrl: string | undefined;
  allowedAudiences: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
  host: string;
  port: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
}

/** Reads and validates the environment once. Throws ConfigError on the first bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
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
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
  };
}
