/**
 * The 2026-07-28 protocol era on the wire: no initialize and no sessions; every request carries its
 * protocol version and client capabilities in params._meta, mirrored by the MCP-Protocol-Version,
 * Mcp-Method and Mcp-Name headers. This module checks a request against those rules and shapes the
 * era's results; the HTTP edge (src/http/mcp-endpoint.ts) decides when to call it.
 */

/** The revision that drops initialize and sessions. */
export const MODERN_VERSION = '2026-07-28';
/** The 2025-era revisions, negotiated through initialize (the SDK also knows 2024-10-07, not offered). */
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
/** Every revision this server speaks, newest first (what server/discover and the version error list). */
export const PROTOCOL_VERSIONS: readonly string[] = [MODERN_VERSION, ...LEGACY_VERSIONS];

/** MCP error codes (2026-07-28 reserves -32020..-32099 for the specification; these are its own). */
export const ModernCode = {
  HeaderMismatch: -32020,
  MissingClientCapability: -32021,
  UnsupportedProtocolVersion: -32022,
} as const;

const META_VERSION = 'io.modelcontextprotocol/protocolVersion';
const META_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';

/** The methods this server answers in the 2026 era; any other gets 404 + -32601. */
export const MODERN_METHODS: ReadonlySet<string> = new Set([
  'server/discover',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
]);

/** A refusal of the request as a protocol message: HTTP status, JSON-RPC code, message and data. */
export interface WireError {
  status: number;
  code: number;
  message: string;
  data?: unknown;
}

/** What a well-formed 2026 request declares about its client. */
export interface ModernRequest {
  capabilities: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The version a request's _meta declares, when it declares one. */
export function declaredVersion(params: unknown): string | undefined {
  const meta = isObject(params) ? params._meta : undefined;
  const v = isObject(meta) ? meta[META_VERSION] : undefined;
  return typeof v === 'string' ? v : undefined;
}

export function unsupportedVersion(requested: string): WireError {
  return {
    status: 400,
    code: ModernCode.UnsupportedProtocolVersion,
    message: `Unsupported MCP-Protocol-Version ${JSON.stringify(requested.slice(0, 40))}; supported: ${PROTOCOL_VERSIONS.join(', ')}`,
    data: { supported: [...PROTOCOL_VERSIONS], requested: requested.slice(0, 100) },
  };
}

const mismatch = (message: string): WireError => ({ status: 400, code: ModernCode.HeaderMismatch, message });

/** The body field Mcp-Name mirrors for a method, if any (SEP-2243). */
function nameField(method: string, params: Json | undefined): { field: string; value: unknown } | undefined {
  if (method === 'tools/call' || method === 'prompts/get') return { field: 'params.name', value: params?.name };
  if (method === 'resources/read') return { field: 'params.uri', value: params?.uri };
  return undefined;
}

/**
 * Checks a 2026 request (the MCP-Protocol-Version header already says 2026-07-28). Headers first
 * (a mismatch is -32020), then the required _meta fields (-32602), then the multi-round-trip
 * fields. Header values arrive with surrounding whitespace already removed by the HTTP parser;
 * comparisons are case-sensitive, as the spec says.
 */
export function checkModernRequest(header: (name: string) => string | undefined, method: string, params: Json | undefined): ModernRequest | WireError {
  const mcpMethod = header('mcp-method')?.trim();
  if (mcpMethod === undefined) return mismatch('Header mismatch: the Mcp-Method header is required');
  if (mcpMethod !== method) return mismatch(`Header mismatch: Mcp-Method ${JSON.stringify(mcpMethod.slice(0, 60))} does not match the body's method`);
  const named = nameField(method, params);
  const mcpName = header('mcp-name')?.trim();
  if (named && typeof named.value === 'string') {
    if (mcpName === undefined) return mismatch(`Header mismatch: the Mcp-Name header is required with ${named.field}`);
    if (mcpName !== named.value) return mismatch(`Header mismatch: Mcp-Name does not match ${named.field}`);
  }
  const meta = params?._meta;
  if (!isObject(meta)) return invalidParams('params._meta is required (protocolVersion and clientCapabilities)');
  const version = meta[META_VERSION];
  if (typeof version !== 'string') return invalidParams(`params._meta["${META_VERSION}"] is required`);
  if (version !== MODERN_VERSION) return mismatch('Header mismatch: MCP-Protocol-Version does not match params._meta protocolVersion');
  const capabilities = meta[META_CAPABILITIES];
  if (!isObject(capabilities)) return invalidParams(`params._meta["${META_CAPABILITIES}"] is required (an object; {} declares none)`);
  if (params && 'inputResponses' in params && !validInputResponses(params.inputResponses)) {
    return invalidParams('params.inputResponses must be an object whose values are objects (the answers to inputRequests)');
  }
  if (params && 'requestState' in params && typeof params.requestState !== 'string') return invalidParams('params.requestState must be a string');
  return { capabilities };
}

function invalidParams(message: string): WireError {
  return { status: 400, code: -32602, message: `Invalid params: ${message}` };
}

function validInputResponses(v: unknown): boolean {
  return isObject(v) && Object.values(v).every(isObject);
}

/** Whether the client can answer a form elicitation in this request: `elicitation: {}` or with `form`. */
export function declaresFormElicitation(capabilities: Record<string, unknown>): boolean {
  const e = capabilities.elicitation;
  return isObject(e) && (Object.keys(e).length === 0 || 'form' in e);
}

/** How long clients may reuse tools/list and server/discover: the tool set changes only on restart. */
export const LIST_TTL_MS = 300_000;

/**
 * The caching hints (SEP-2549) of the cacheable results other than tools/list (which the edge
 * serves from cached bytes): prompts/list is filtered by the caller's tools, so private once a
 * credential filtered it; the resources (the scope catalog) are the same for everyone. All of them
 * change only on restart.
 */
export function cachingHints(method: string, anonymous: boolean): { ttlMs: number; cacheScope: 'public' | 'private' } | undefined {
  if (method === 'prompts/list') return { ttlMs: LIST_TTL_MS, cacheScope: anonymous ? 'public' : 'private' };
  if (method === 'resources/list' || method === 'resources/templates/list' || method === 'resources/read') return { ttlMs: LIST_TTL_MS, cacheScope: 'public' };
  return undefined;
}

export interface DiscoverInfo {
  name: string;
  title: string;
  version: string;
  instructions: string;
}

/**
 * The server/discover result. Only what is delivered is advertised: no listChanged (a stateless
 * server has no stream to announce changes on), no resource subscriptions. The same for every
 * caller, so cacheScope is public.
 */
export function discoverResult(info: DiscoverInfo): Json {
  return {
    resultType: 'complete',
    supportedVersions: [...PROTOCOL_VERSIONS],
    capabilities: { tools: {}, prompts: {}, resources: {}, completions: {} },
    instructions: info.instructions,
    ttlMs: LIST_TTL_MS,
    cacheScope: 'public',
    _meta: { 'io.modelcontextprotocol/serverInfo': { name: info.name, title: info.title, version: info.version } },
  };
}
