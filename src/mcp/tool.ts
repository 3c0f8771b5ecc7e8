import type { z } from 'zod';
import type { AuthenticatedCaller } from '../auth/caller.js';
import type { ToolAccess } from '../auth/policy.js';
import type { CasdoorAdapter } from '../casdoor/adapter.js';

/** What a tool handler gets besides its arguments. Handlers never look at scopes. */
export interface ToolContext {
  casdoor: CasdoorAdapter;
  caller: AuthenticatedCaller;
  /** Re-applies the caller rules once the target's organization is known (throws ForbiddenError). */
  checkOrganization(organization: string): void;
  /** Whether results may carry secrets (global admins and applications only). */
  canSeeSecrets: boolean;
  /** The one organization an organization admin is confined to; undefined for callers not so confined. */
  ownOrganization: string | undefined;
  signal: AbortSignal;
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
  /** The organization the arguments name, when known before the call (checked by the gate). */
  targetOrganization?(args: z.infer<I>): string | undefined;
  run(args: z.infer<I>, ctx: ToolContext): Promise<z.infer<O>>;
}

/** Identity function that ties the handler's argument types to the input schema. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
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
