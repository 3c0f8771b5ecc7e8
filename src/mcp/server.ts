import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ElicitResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type CallToolResult,
  type ElicitRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Caller } from '../auth/caller.js';
import { ForbiddenError, RpcCode } from '../auth/errors.js';
import { canSeeSecrets, checkClientId, checkOrganization } from '../auth/policy.js';
import { administeredOrganizations } from '../auth/caller.js';
import type { CasdoorAdapter } from '../casdoor/adapter.js';
import { CasdoorError } from '../casdoor/errors.js';
import { isInputRequired, type RequestStateSealer, type RoundTrip } from './input-required.js';
import { complete, CompleteRequest } from './completions.js';
import type { PromptCatalog } from './prompts.js';
import type { ToolRegistry } from './registry.js';
import type { ResourceCatalog } from './resources.js';
import type { UsedStateStore } from '../store/used-states.js';
import { RpcError } from './rpc-error.js';
import { ToolError, type ToolContext } from './tool.js';

export { RpcError };

export interface McpServerDeps {
  registry: ToolRegistry;
  /** Administrator prompts, filtered per caller like tools/list (src/mcp/prompts.ts). */
  prompts: PromptCatalog;
  /** The scope catalog (src/mcp/resources.ts). */
  resources: ResourceCatalog;
  casdoor: CasdoorAdapter;
  logger: Logger;
  version: string;
  /** Seals the state of 2026-era confirmations (input_required); without it they cannot be asked. */
  requestState?: RequestStateSealer;
  /** Which sealed request states have been used (src/store/used-states.ts): each is good for one retry. */
  usedRequestStates: UsedStateStore;
  /** Client ids no application may be given here (accepted audiences, trusted clients): auth/policy.ts checkClientId. */
  reservedClientIds?: ReadonlySet<string>;
}

/** The caller travels from the edge (HTTP or stdio) to the handlers in authInfo.extra. */
export function callerOf(extra: { authInfo?: { extra?: Record<string, unknown> } }): Caller {
  return (extra.authInfo?.extra?.caller as Caller | undefined) ?? { kind: 'anonymous' };
}

/** Set by the edge when this call's client can answer elicitation/create on this call's reply stream. */
export function canElicitOf(extra: { authInfo?: { extra?: Record<string, unknown> } }): boolean {
  return extra.authInfo?.extra?.canElicit === true;
}

/** Set by the edge for a 2026-07-28 request: what the client sent back from a previous round. */
export function roundTripOf(extra: { authInfo?: { extra?: Record<string, unknown> } }): RoundTrip | undefined {
  return extra.authInfo?.extra?.roundTrip as RoundTrip | undefined;
}

/** How long a human has to answer a confirmation before the tool gives up (and changes nothing). */
export const ELICITATION_TIMEOUT_MS = 120_000;

export const INSTRUCTIONS =
  'Administers Casdoor applications and users. Application ids look like "admin/<name>" (the organization is a field); ' +
  'user ids look like "<organization>/<name>". Call whoami first to see what you may do, and get_applications or get_users ' +
  'to find ids before reading, changing or deleting one. Every write tool takes dry_run: true to preview the change.';

/**
 * One long-lived low-level SDK Server for every request: tools/list and tools/call handlers read
 * the caller from authInfo, so nothing is built per request. The gate (auth/gate.ts) has already
 * refused callers without the scope; handlers apply only the organization rules that need the target.
 */
export function createMcpServer(deps: McpServerDeps): Server {
  const server = new Server(
    { name: 'casdoor-mcp', title: 'Casdoor MCP server', version: deps.version },
    // Only what is delivered: fixed lists (no listChanged), nothing to subscribe to.
    { capabilities: { tools: { listChanged: false }, prompts: {}, resources: {}, completions: {} }, instructions: INSTRUCTIONS },
  );
  // Tool arguments (organization names, object ids), for the caller as tools/call would see them.
  server.setRequestHandler(CompleteRequest, (req, extra) => complete(req, callerOf(extra), deps.registry, deps.casdoor, deps.prompts));
  server.setRequestHandler(ListPromptsRequestSchema, (_req, extra) => ({ prompts: [...deps.prompts.visibleTo(callerOf(extra))] }));
  server.setRequestHandler(GetPromptRequestSchema, (req, extra) => {
    const prompt = deps.prompts.find(req.params.name, callerOf(extra));
    if (!prompt) {
      const known = deps.prompts.visibleTo(callerOf(extra)).map((p) => p.name);
      throw new RpcError(ErrorCode.InvalidParams, `Unknown prompt: ${req.params.name.slice(0, 60)}`, { prompt: req.params.name.slice(0, 100), known });
    }
    const args = req.params.arguments ?? {};
    const missing = prompt.arguments.filter((a) => a.required && !args[a.name]?.trim()).map((a) => a.name);
    if (missing.length > 0) throw new RpcError(ErrorCode.InvalidParams, `Invalid params: ${prompt.name} needs ${missing.join(', ')}`, { prompt: prompt.name, missing });
    const values = Object.fromEntries(prompt.arguments.map((a) => [a.name, (args[a.name] ?? '').trim()]));
    return { description: prompt.description, messages: [{ role: 'user', content: { type: 'text', text: prompt.text(values) } }] };
  });
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: [...deps.resources.list] }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [] }));
  server.setRequestHandler(ReadResourceRequestSchema, (req) => {
    const contents = deps.resources.read(req.params.uri);
    // -32602 with the uri in data, as SEP-2164 standardizes (earlier revisions suggested -32002).
    if (!contents) throw new RpcError(ErrorCode.InvalidParams, `Resource not found: ${req.params.uri.slice(0, 100)}`, { uri: req.params.uri });
    return { contents };
  });
  server.setRequestHandler(ListToolsRequestSchema, (_req, extra) => ({ tools: [...deps.registry.visibleTo(callerOf(extra))] }));
  server.setRequestHandler(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
    const tool = deps.registry.get(req.params.name);
    if (!tool) throw new RpcError(ErrorCode.InvalidParams, `Unknown tool: ${req.params.name}`, { tool: req.params.name, known: deps.registry.names });
    const caller = callerOf(extra);
    if (caller.kind === 'anonymous') throw new RpcError(RpcCode.Unauthorized, 'unauthorized'); // the gate refuses first
    const parsed = tool.input.safeParse(req.params.arguments ?? {});
    if (!parsed.success) {
      throw new RpcError(ErrorCode.InvalidParams, `Invalid arguments for ${tool.name}: ${describeIssues(parsed.error)}`, {
        tool: tool.name,
        issues: parsed.error.issues.map((i: z.core.$ZodIssue) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const orgs = administeredOrganizations(caller.principal);
    const roundTrip = roundTripOf(extra);
    // 2026 era: the question goes back in an input_required result, not as a request to the client.
    const args = req.params.arguments ?? {};
    if (roundTrip?.requestState !== undefined) {
      const sealed = deps.requestState?.open(roundTrip.requestState, { tool: tool.name, args, caller });
      if (!sealed) {
        throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: requestState failed verification (altered, expired, or issued for another caller or call); call again without requestState and inputResponses', { tool: tool.name });
      }
      // Single use: a replayed retry must not repeat what the first one did (a delete).
      const claim = await deps.usedRequestStates.claim(sealed.id, sealed.expiresAt);
      if (claim === 'used') {
        throw new RpcError(ErrorCode.InvalidParams, 'Invalid params: requestState was already used (each is good for one retry, and this one has been answered); call again without requestState and inputResponses to be asked afresh', { tool: tool.name, reason: 'request_state_reused' });
      }
      if (claim === 'full') throw new RpcError(RpcCode.RateLimited, 'rate_limited: too many confirmations in flight on this server; retry in a minute', { tool: tool.name, retry_after_seconds: 60 });
    }
    const modernElicit = roundTrip && deps.requestState?.elicitor({ tool: tool.name, args, caller, roundTrip });
    const canElicit = canElicitOf(extra) && (roundTrip === undefined || modernElicit !== undefined);
    const ctx: ToolContext = {
      casdoor: deps.casdoor,
      caller,
      canSeeSecrets: canSeeSecrets(caller.principal),
      ownOrganization: typeof orgs === 'object' ? orgs.only : undefined,
      checkOrganization: (org) => checkOrganization(caller.principal, tool.name, tool.access, org),
      checkClientId: (clientId) => checkClientId(caller.principal, tool.name, clientId, deps.reservedClientIds ?? new Set()),
      signal: extra.signal,
      canElicit,
      registry: deps.registry,
      async elicit(message, requestedSchema) {
        if (!canElicit) throw new Error('this client cannot be asked for confirmation');
        if (modernElicit) return modernElicit(message, requestedSchema);
        const request: ElicitRequest = { method: 'elicitation/create', params: { message, requestedSchema } as ElicitRequest['params'] };
        const result = await extra.sendRequest(request, ElicitResultSchema, { timeout: ELICITATION_TIMEOUT_MS, signal: extra.signal });
        return { action: result.action, ...(result.content ? { content: result.content as Record<string, unknown> } : {}) };
      },
    };
    try {
      const out = (await tool.run(parsed.data, ctx)) as Record<string, unknown>;
      return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
    } catch (err) {
      if (isInputRequired(err)) return err.result as CallToolResult;
      if (err instanceof ForbiddenError) throw new RpcError(RpcCode.Forbidden, 'forbidden', err.toRpcData());
      if (err instanceof ToolError) return toolError(err.message);
      if (err instanceof CasdoorError) {
        deps.logger.warn({ tool: tool.name, casdoor: err.code, endpoint: err.endpoint, status: err.status }, 'casdoor call failed');
        return toolError(`${err.message}. ${nextStep(err)}`);
      }
      deps.logger.error({ tool: tool.name, err }, 'tool failed unexpectedly');
      return toolError(`${tool.name} failed unexpectedly; nothing more is known to the agent. Retry once, then report it to the operator.`);
    }
  });
  return server;
}

function toolError(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

function nextStep(err: CasdoorError): string {
  switch (err.code) {
    case 'casdoor_rejected':
      return 'Check the arguments against what Casdoor accepts, then retry.';
    case 'casdoor_unaffected':
      return 'Read the object again to see its current state.';
    case 'casdoor_credentials':
      return 'Retrying will not help: tell the operator.';
    default:
      return 'Casdoor may be down or overloaded; retry in a few seconds, and tell the operator if it persists.';
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') {
        const where = i.path.length ? ` in ${i.path.join('.')}` : '';
        return `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}${where} (not in the schema, refused)`;
      }
      return `${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`;
    })
    .join('; ');
}
