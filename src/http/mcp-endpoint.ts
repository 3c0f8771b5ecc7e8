import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  InitializeRequestSchema,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCNotification,
  type JSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticate.js';
import type { Caller } from '../auth/caller.js';
import { HTTP_STATUS_OF, Refusal } from '../auth/errors.js';
import { gate } from '../auth/gate.js';
import { TokenError } from '../auth/token-verifier.js';
import { CasdoorError } from '../casdoor/errors.js';
import { capabilityKey, credentialExpiry, credentialKey, declaresElicitation } from '../mcp/client-capabilities.js';
import type { ExchangeTransport, JSONRPCReply } from '../mcp/exchange-transport.js';
import {
  cachingHints,
  checkModernRequest,
  declaredVersion,
  declaresFormElicitation,
  LEGACY_VERSIONS,
  LIST_TTL_MS,
  MODERN_METHODS,
  MODERN_VERSION,
  ModernCode,
  PROTOCOL_VERSIONS,
  unsupportedVersion,
  type ModernRequest,
  type WireError,
} from '../mcp/modern.js';
import type { ToolRegistry } from '../mcp/registry.js';
import { isWriteTool } from '../mcp/tool.js';
import type { EdgeOps } from '../ops/edge.js';
import type { ElicitationRouter } from '../store/elicitation-router.js';
import { wwwAuthenticate } from './challenge.js';
import { sendJsonParts } from './raw-reply.js';
import { replyMaybeStreamed } from './sse-reply.js';
import { resourceFor, resourceMetadataUrl } from './well-known.js';
import type { SpanHandle } from '../observe/telemetry.js';

// The 2025-era versions are negotiated by the SDK's initialize; 2026-07-28 is served here, at the edge.
if (!LEGACY_VERSIONS.every((v) => SUPPORTED_PROTOCOL_VERSIONS.includes(v))) throw new Error('SDK lacks a protocol version we offer');

export interface McpEndpointDeps {
  publicUrl: string;
  authenticator: Authenticator;
  registry: ToolRegistry;
  exchange: ExchangeTransport;
  logger: Logger;
  /** Every value of the Authorization header as received (Node folds duplicates, so the edge reads raw headers). */
  authorizationHeaders(c: Context): string[];
  /** Audit lines and rate limits (src/ops/edge.ts). */
  ops?: EdgeOps;
  /** The server/discover result of the 2026 era (src/mcp/modern.ts discoverResult). */
  discover?: Record<string, unknown>;
  /** Routes answers to elicitations across instances (src/store); without it, answers stay local. */
  elicitations?: ElicitationRouter;
}

type Json = Record<string, unknown>;

/**
 * tools/list replies, serialized and encoded once per distinct list (the registry keeps one array per
 * scope set): the bytes up to the id. A reply built as one string of tens of kB would be flattened and
 * measured again on every request (Buffer.byteLength), and encoded again when written.
 */
const LIST_BYTES = new WeakMap<readonly unknown[], Buffer>();
const MODERN_PUBLIC_BYTES = new WeakMap<readonly unknown[], Buffer>();
const MODERN_PRIVATE_BYTES = new WeakMap<readonly unknown[], Buffer>();

/** The SDK's own schemas for the methods this server answers: checked before dispatch (see below). */
interface ParamsSchema {
  safeParse(v: unknown): { success: true } | { success: false; error: { issues: { path: PropertyKey[] }[] } };
}
const REQUEST_SCHEMAS: Readonly<Record<string, ParamsSchema | undefined>> = {
  initialize: InitializeRequestSchema,
  ping: PingRequestSchema,
  'tools/list': ListToolsRequestSchema,
  'tools/call': CallToolRequestSchema,
  'prompts/list': ListPromptsRequestSchema,
  'prompts/get': GetPromptRequestSchema,
  'resources/list': ListResourcesRequestSchema,
  'resources/templates/list': ListResourceTemplatesRequestSchema,
  'resources/read': ReadResourceRequestSchema,
};
const REALM = 'casdoor-mcp';

function rpcError(code: number, message: string, id: unknown = null, data?: unknown): Json {
  return { jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The members JSON-RPC defines; others are dropped, since the SDK's strict message schemas silently
 * ignore a message with any other key (a "__proto__", a typo), leaving the request unanswered forever.
 */
const JSONRPC_MEMBERS = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);

/** tools/list params the SDK's schema would accept for sure (none, or a string cursor): the hot path skips it. */
function plainListParams(params: Json | undefined): boolean {
  if (params === undefined) return true;
  for (const key in params) if (key !== 'cursor' || typeof params.cursor !== 'string') return false;
  return true;
}

const validId = (id: unknown): boolean => typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));

/**
 * POST /mcp and /api/mcp: stateless Streamable HTTP with JSON responses, both protocol eras (the
 * MCP-Protocol-Version header picks one; src/mcp/modern.ts has the 2026-07-28 rules). Order: parse,
 * protocol checks, authenticate (every method: a bad credential is a 401 even on tools/list), rate
 * limit, gate (tools/call), dispatch to the shared SDK Server: the same steps for both eras. Errors are
 * turned into HTTP here and only here.
 */
export function mcpEndpoint(deps: McpEndpointDeps) {
  return async function mcpPost(c: Context): Promise<Response> {
    const res = await handle(c);
    // A streamed answer is counted when its reply is written (replied), not when the stream opens.
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) deps.ops?.finished(res.status);
    return res;
  };

  function mayAskForConfirmation(name: unknown): boolean {
    const tool = typeof name === 'string' ? deps.registry.get(name) : undefined;
    return tool !== undefined && isWriteTool(tool);
  }

  async function handle(c: Context): Promise<Response> {
    const path = c.req.path;
    const prm = resourceMetadataUrl(resourceFor(deps.publicUrl, path));
    // Read the body before any refusal: after unread bodies, @hono/node-server 2.1.8 can reset the
    // keep-alive connection under the client's next request (found by test/fuzz/jsonrpc.test.ts).
    const text = await c.req.text().catch(() => undefined);
    // Parsed first, so that every error answer to a message whose id is known carries that id.
    let body: unknown;
    let parsed = false;
    try {
      if (text !== undefined) {
        body = JSON.parse(text);
        parsed = true;
      }
    } catch {
      // answered below, after the header checks
    }
    const knownId = isObject(body) && validId(body.id) ? body.id : null;
    const contentType = c.req.header('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      return c.json(rpcError(-32600, 'Content-Type must be application/json', knownId), 415);
    }
    const version = c.req.header('mcp-protocol-version')?.trim();
    if (version !== undefined && !PROTOCOL_VERSIONS.includes(version)) return wireError(c, unsupportedVersion(version), knownId);
    if (!parsed) return c.json(rpcError(-32700, 'Parse error: the body is not valid JSON'), 400);
    if (Array.isArray(body)) {
      return c.json(rpcError(-32600, 'JSON-RPC batches are not supported: send one message per request'), 400);
    }
    if (!isObject(body) || body.jsonrpc !== '2.0') {
      return c.json(rpcError(-32600, 'Invalid Request: expected one JSON-RPC 2.0 message object', knownId), 400);
    }
    const id = 'id' in body ? body.id : undefined;
    if (id !== undefined && !validId(id)) {
      return c.json(rpcError(-32600, 'Invalid Request: id must be a string or a number'), 400);
    }
    // A method with result or error is no valid message (the SDK would take it for a response and never answer).
    const mixed = 'result' in body || 'error' in body;
    const isRequest = typeof body.method === 'string' && id !== undefined && !mixed;
    const isNotification = typeof body.method === 'string' && id === undefined && !mixed;
    const isResponse = body.method === undefined && id !== undefined && ('result' in body || 'error' in body);
    if (!isRequest && !isNotification && !isResponse) {
      return c.json(rpcError(-32600, 'Invalid Request: not a JSON-RPC request, notification or response', id ?? null), 400);
    }
    if (body.params !== undefined && !isObject(body.params)) {
      return c.json(rpcError(-32602, 'Invalid params: params must be an object', id ?? null), 400);
    }
    const params = body.params as Json | undefined;
    const modern = version === MODERN_VERSION;
    // A 2026 request is known by its header; one that says 2026 only in _meta mismatches it.
    if (isRequest && !modern && declaredVersion(params) === MODERN_VERSION) {
      return wireError(c, { status: 400, code: ModernCode.HeaderMismatch, message: `Header mismatch: a ${MODERN_VERSION} request needs the MCP-Protocol-Version header ${MODERN_VERSION}` }, id);
    }
    let modernRequest: ModernRequest | undefined;
    if (modern && isRequest) {
      const checked = checkModernRequest((name) => c.req.header(name), body.method as string, params);
      if ('status' in checked) return wireError(c, checked, id);
      if (!MODERN_METHODS.has(body.method as string)) {
        return c.json(rpcError(-32601, `Method not found: ${String(body.method).slice(0, 60)} (not part of ${MODERN_VERSION} on this server)`, id), 404);
      }
      modernRequest = checked;
    }
    // Else the SDK's schema check answers -32603 "Internal error" with its raw validation dump.
    const call = body.method === 'tools/call' ? (params ?? {}) : undefined;
    if (call && (typeof call.name !== 'string' || (call.arguments !== undefined && !isObject(call.arguments)))) {
      return c.json(rpcError(-32602, 'Invalid params: tools/call needs params.name (a string) and params.arguments (an object)', id ?? null), 400);
    }
    for (const key of Object.keys(body)) if (!JSONRPC_MEMBERS.has(key)) delete body[key];
    // The SDK silently ignores a message its own guards reject, which would leave this request unanswered:
    // apply the same guards, and the method's params schema, here.
    const wellFormed = isRequest ? isJSONRPCRequest(body) : isNotification ? isJSONRPCNotification(body) : isJSONRPCResultResponse(body) || isJSONRPCErrorResponse(body);
    if (!wellFormed) return c.json(rpcError(-32600, 'Invalid Request: not a well-formed JSON-RPC message', id ?? null), 400);
    // Own keys only: a method named "__proto__" or "constructor" must not find Object's members here.
    const schema = isRequest && Object.hasOwn(REQUEST_SCHEMAS, body.method as string) ? REQUEST_SCHEMAS[body.method as string] : undefined;
    const checked = body.method === 'tools/list' && plainListParams(params) ? undefined : schema?.safeParse(body);
    if (checked && !checked.success) {
      const where = [...new Set(checked.error.issues.map((i) => i.path.map(String).join('.') || '(params)'))].slice(0, 5).join(', ');
      return c.json(rpcError(-32602, `Invalid params for ${String(body.method)}: check ${where}`, id ?? null), 400);
    }
    deps.ops?.received(body, {
      trace: () => ({ traceparent: c.req.header('traceparent'), tracestate: c.req.header('tracestate') }),
      protocolVersion: version,
    });

    const credentials = { authorization: deps.authorizationHeaders(c), sessionCookie: getCookie(c, 'casdoor_session_id') };
    let caller: Caller;
    // The authenticate span only for a credential resolved now: one served from the identity cache
    // (nearly every request) would add an empty span to each trace, and its export cost.
    const startedAt = performance.timeOrigin + performance.now();
    let authentication: SpanHandle | undefined;
    try {
      // A credential not resolved yet first spends the address's allowance, so junk never floods Casdoor.
      caller = await deps.authenticator.authenticate(credentials, {
        beforeResolve: () => {
          authentication = deps.ops?.span('authenticate', undefined, startedAt);
          return deps.ops?.admitUnresolved(c);
        },
      });
      authentication?.end();
    } catch (err) {
      authentication?.end(err instanceof Refusal ? err.rpcMessage : 'unavailable');
      return refuse(c, err, id ?? null, prm);
    }
    // After authentication: the limit is counted per subject and client (writes once the gate admits them).
    const limited = await deps.ops?.admit(c, caller, body.method, body.params);
    if (limited) return refuse(c, limited, id ?? null, prm);

    if (modern) {
      // No sessions, no server->client messages: notifications and stray responses are accepted and dropped.
      if (!modernRequest) return c.body(null, 202);
      return modernReply(c, body as unknown as JSONRPCRequest, caller, modernRequest, prm);
    }
    // Capabilities travel only in initialize: remember per credential whether the client can be asked
    // (elicitation), and use it when this call's answer can carry a question (SSE accepted).
    // (Only initialize, calls of a write tool and answers need it: tools/list and read tools, the hot
    // paths, skip the digests and the lookup, a Redis round trip with the shared store. Only a write
    // tool (a delete) ever asks.)
    const initializing = body.method === 'initialize';
    const mayAsk = call !== undefined && mayAskForConfirmation(call.name);
    const owner = initializing || mayAsk || isResponse ? credentialKey(caller, credentials) : undefined;
    const capsKey = capabilityKey(owner, initializing ? (body.params as Json | undefined)?.protocolVersion : version, c.req.header('user-agent'));
    if (initializing && capsKey) {
      await deps.exchange.clients.remember(capsKey, { elicitation: declaresElicitation(body.params) }, credentialExpiry(caller));
    }
    const canElicit = mayAsk && /text\/event-stream/i.test(c.req.header('accept') ?? '') && (await deps.exchange.clients.canElicit(capsKey));
    const extra = { authInfo: { token: '', clientId: '', scopes: [], extra: { caller, canElicit } }, requestInfo: { headers: {} } };

    if (isNotification) {
      deps.exchange.notify(body as unknown as JSONRPCNotification, extra);
      return c.body(null, 202);
    }
    if (isResponse) {
      // An answer to one of our elicitations: it reaches the Server only from the credential it was sent
      // to. Anything else is dropped with the same 202, so the answer reveals nothing about others.
      const answer = body as unknown as JSONRPCReply;
      const delivery = deps.elicitations ? await deps.elicitations.inbound(answer, owner) : deps.exchange.respond(answer, owner);
      if (delivery !== 'delivered' && delivery !== 'forwarded') deps.logger.warn({ delivery }, 'dropped a response that answers no outstanding request of this client');
      return c.body(null, 202);
    }

    const refusal = authorize(caller, body.method as string, body.params) ?? (await deps.ops?.admitWrite(c, caller, body.method, body.params));
    if (refusal) return refuse(c, refusal, id, prm);

    if (canElicit && owner) {
      const messages = deps.exchange.stream(body as unknown as JSONRPCRequest, extra, owner, c.req.raw.signal);
      return replyMaybeStreamed(c, deps.elicitations ? deps.elicitations.outbound(messages) : messages, (reply, status) => deps.ops?.replied(reply, status));
    }
    if (body.method === 'tools/list') return toolsList(c, caller, id, false);
    const reply = await deps.exchange.request(body as unknown as JSONRPCRequest, extra, c.req.raw.signal);
    const status = 'error' in reply ? (HTTP_STATUS_OF[reply.error.code] ?? 200) : 200;
    deps.ops?.replied(reply, status);
    return c.json(reply, status as 200);
  }

  /**
   * The 2026-07-28 methods, after the same authentication and gate as the 2025 era: server/discover,
   * the lists and reads with caching hints, tools/call with confirmations as input_required results.
   */
  async function modernReply(c: Context, request: JSONRPCRequest, caller: Caller, modern: ModernRequest, prm: string): Promise<Response> {
    const refusal = authorize(caller, request.method, request.params) ?? (await deps.ops?.admitWrite(c, caller, request.method, request.params));
    if (refusal) return refuse(c, refusal, request.id, prm);
    if (request.method === 'server/discover') return c.json({ jsonrpc: '2.0', id: request.id, result: deps.discover ?? {} });
    if (request.method === 'tools/list') return toolsList(c, caller, request.id, true);
    const p = (request.params ?? {}) as Json;
    const roundTrip = {
      ...(isObject(p.inputResponses) ? { inputResponses: p.inputResponses } : {}),
      ...(typeof p.requestState === 'string' ? { requestState: p.requestState } : {}),
    };
    const extra = {
      authInfo: { token: '', clientId: '', scopes: [], extra: { caller, canElicit: declaresFormElicitation(modern.capabilities), roundTrip } },
      requestInfo: { headers: {} },
    };
    const reply = await deps.exchange.request(request, extra, c.req.raw.signal);
    const status = 'error' in reply ? (HTTP_STATUS_OF[reply.error.code] ?? 200) : 200;
    deps.ops?.replied(reply, status);
    if ('result' in reply) {
      const result = reply.result as Json;
      if (result.resultType === 'input_required') delete result.content; // the SDK's result schema adds content: []
      else Object.assign(result, { resultType: 'complete' }, cachingHints(request.method, caller.kind === 'anonymous'));
    }
    return c.json(reply, status as 200);
  }

  /**
   * The list is a pure function of the caller's scope set, computed once by the registry; so is its
   * JSON (tens of kB), which would otherwise be stringified on every request. The 2025 bytes are the
   * SDK's reply (test/http/tools-list-fast-path.test.ts compares them); the 2026 reply adds
   * resultType and the caching hints: private once a credential filtered the list, public for anonymous.
   */
  /** The gate's decision, as a span of its own when tracing is on. */
  function authorize(caller: Caller, method: string, params: unknown): Refusal | undefined {
    const decision = deps.ops?.span('authorize');
    const refusal = gate(caller, method, params, deps.registry);
    if (decision?.recording) {
      const data = (refusal?.data ?? {}) as { rule?: unknown; required_scope?: unknown };
      decision.setAttributes({
        'casdoor_mcp.decision': refusal ? 'deny' : 'allow',
        'casdoor_mcp.rule': typeof data.rule === 'string' ? data.rule : undefined,
        'casdoor_mcp.required_scope': typeof data.required_scope === 'string' ? data.required_scope : undefined,
      });
    }
    decision?.end(refusal ? refusal.rpcMessage : undefined);
    return refusal;
  }

  function toolsList(c: Context, caller: Caller, id: unknown, modern: boolean): Response {
    const tools = deps.registry.visibleTo(caller);
    const scope = caller.kind === 'anonymous' ? 'public' : 'private';
    const cache = modern ? (scope === 'public' ? MODERN_PUBLIC_BYTES : MODERN_PRIVATE_BYTES) : LIST_BYTES;
    let head = cache.get(tools);
    if (head === undefined) {
      const json = JSON.stringify(modern ? { tools, resultType: 'complete', ttlMs: LIST_TTL_MS, cacheScope: scope } : { tools });
      head = Buffer.from(`{"result":${json},"jsonrpc":"2.0","id":`);
      cache.set(tools, head);
    }
    return sendJsonParts(c, [head, Buffer.from(`${JSON.stringify(id)}}`)]);
  }

  function wireError(c: Context, err: WireError, id: unknown): Response {
    return c.json(rpcError(err.code, err.message, id, err.data), err.status as 400);
  }

  function refuse(c: Context, err: unknown, id: unknown, prm: string): Response {
    deps.ops?.refused(err);
    if (err instanceof Refusal) {
      if (err.challenge) c.header('WWW-Authenticate', wwwAuthenticate(err.challenge, prm, REALM));
      return c.json(rpcError(err.rpcCode, err.rpcMessage, id, err.data), err.status as 401);
    }
    // Credentials could not be checked because Casdoor or its JWKS is unreachable: a server-side fault.
    if (err instanceof CasdoorError || (err instanceof TokenError && err.code === 'jwks_unavailable')) {
      deps.logger.warn({ reason: err.message }, 'credentials could not be checked');
      c.header('Retry-After', '5');
      return c.json(rpcError(-32603, 'Casdoor is unreachable, so credentials cannot be checked; retry shortly', id), 503);
    }
    throw err;
  }
}
