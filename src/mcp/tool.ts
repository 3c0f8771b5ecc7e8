import type { z } from 'zod';
import type { AuthenticatedCaller } from '../auth/caller.js';
import type { ToolAccess } from '../auth/policy.js';
import type { CasdoorAdapter } from '../casdoor/adapter.js';
import type { ToolRegistry } from './registry.js';

/** A flat form for elicitation/create: primitive properties only, as the MCP spec allows. */
export interface ElicitationSchema {
  type: 'object';
  properties: Record<string, { type: 'boolean' | 'string' | 'number' | 'integer'; title?: string; description?: string; default?: unknown }>;
  required?: string[];
}

export interface ElicitationOutcome {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, unknown>;
}

/** What a tool handler gets besides its arguments. Handlers never look at scopes. */
export interface ToolContext {
  casdoor: CasdoorAdapter;
  caller: AuthenticatedCaller;
  /** Re-applies the caller rules once the target's organization is known (throws ForbiddenError). */
  checkOrganization(organization: string): void;
  /** Whether this caller may give an application this clientId (throws ForbiddenError). */
  checkClientId(clientId: string): void;
  /** Whether results may carry secrets (global admins and applications only). */
  canSeeSecrets: boolean;
  /** The one organization an organization admin is confined to; undefined for callers not so confined. */
  ownOrganization: string | undefined;
  signal: AbortSignal;
  /**
   * Whether the client declared elicitation in its last initialize AND this call's reply can carry a
   * server request to it (an SSE response). When false, `elicit` fails at once.
   */
  canElicit: boolean;
  /** Asks the human behind the client (elicitation/create). Rejects when the client cannot be asked or times out. */
  elicit(message: string, requestedSchema: ElicitationSchema): Promise<ElicitationOutcome>;
  /** Every tool, for whoami (which decides each with auth/gate.ts decide()). */
  registry: ToolRegistry;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: false;
}

/**
 * One MCP tool: its name, what the model reads, strict input and output schemas, annotations, what
 * it does for the caller rules, and the handler. The scope it needs comes from scopes.json.
 */
export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  access: ToolAccess;
  /**
   * tools/list only: when `tool` is listed beside this one, `argument` is shown as a plain object that
   * points to that tool's `argument` fields instead of repeating them (an update tool's field list is
   * its add tool's; repeated, they took 12 KB of tools/list). What calls accept is still `input`.
   */
  listFieldsAs?: { argument: string; tool: string; except?: readonly string[] };
  /** The organization the arguments name, when known before the call (checked by the gate). */
  targetOrganization?(args: z.infer<I>): string | undefined;
  run(args: z.infer<I>, ctx: ToolContext): Promise<z.infer<O>>;
}

/** Identity function that ties the handler's argument types to the input schema. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

/**
 * A tool that changes Casdoor: what read-only mode removes and the stricter write rate limit counts.
 * Either declaration makes it one, so a tool marked in only one place is never treated as a read.
 */
export function isWriteTool(tool: Pick<AnyTool, 'access' | 'annotations'>): boolean {
  return tool.access.action === 'write' || !tool.annotations.readOnlyHint;
}

/** An expected failure an agent can act on: becomes an isError result with this message. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = ToolDefinition<any, any>;
