import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthenticatedCaller } from '../auth/caller.js';
import type { ElicitationOutcome, ElicitationSchema } from './tool.js';

/**
 * Confirmations in the 2026-07-28 era (multi-round-trip requests): instead of sending the client an
 * elicitation/create request, the tool call answers with an InputRequiredResult that carries the
 * question and an opaque requestState; the client asks its user and retries the same call with the
 * answer in inputResponses and the requestState unchanged. Nothing is kept on the server: the state
 * is sealed with an HMAC under a server key, bound to the caller's verified identity, the tool and
 * its arguments, and the question, and it expires. Any instance sharing the key can finish it.
 * Each state is unique (a nonce) and good for one retry: the edge records its use (src/store/used-states.ts).
 */

/** How long a question stays answerable. */
export const REQUEST_STATE_TTL_MS = 5 * 60_000;

/** The one input a tool asks for in this server (a delete's confirmation). */
const KEY = 'confirm';

/** Thrown from ctx.elicit when the answer is not in this request: the call ends with input_required. */
export class InputRequired extends Error {
  constructor(readonly result: Record<string, unknown>) {
    super('input required');
    this.name = 'InputRequired';
  }
}

export const isInputRequired = (err: unknown): err is InputRequired => err instanceof InputRequired;

/** What a tools/call of the 2026 era carries back: the answers and the state from the previous round. */
export interface RoundTrip {
  inputResponses?: Record<string, unknown>;
  requestState?: string;
}

export interface RequestStateSealer {
  /**
   * Whether an echoed requestState is one this server sealed, unexpired, for this caller, tool and
   * arguments. A state that is not must be refused (-32602) before the tool runs: the spec requires
   * state that fails its integrity check to be rejected, not silently ignored.
   */
  verifies(state: string, call: { tool: string; args: unknown; caller: AuthenticatedCaller }): boolean;
  /** As verifies, with what names the state for its single use: an id unique to it and its expiry. */
  open(state: string, call: { tool: string; args: unknown; caller: AuthenticatedCaller }): SealedState | undefined;
  /** The ctx.elicit of one 2026 tools/call. */
  elicitor(call: { tool: string; args: unknown; caller: AuthenticatedCaller; roundTrip: RoundTrip }): (message: string, schema: ElicitationSchema) => Promise<ElicitationOutcome>;
}

/** A verified state: `id` is unique to it (its MAC), `expiresAt` when it stops being answerable. */
export interface SealedState {
  id: string;
  expiresAt: number;
}

const b64 = (b: Buffer): string => b.toString('base64url');
const digest = (v: string): string => createHash('sha256').update(v).digest('base64url');

/** Arguments in a canonical form (sorted keys), so a retry with reordered keys still matches. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Who the caller is, as verified: the principal, never the token's own claims about itself. */
function identityOf(caller: AuthenticatedCaller): string {
  return digest(`${caller.kind}\n${caller.principal.id}`);
}

/**
 * `secret` is configuration every instance of a deployment shares (the server's Casdoor client
 * secret); the HMAC key is derived from it, so the secret itself never signs anything.
 */
export function createRequestStateSealer(secret: string, now: () => number = Date.now): RequestStateSealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'casdoor-mcp', 'request-state v1', 32));
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest();

  function seal(binding: Record<string, string>): string {
    // The nonce makes two states of the same question distinct, so using one never spends the other.
    const payload = b64(Buffer.from(JSON.stringify({ ...binding, n: b64(randomBytes(12)), exp: now() + REQUEST_STATE_TTL_MS })));
    return `${payload}.${b64(mac(payload))}`;
  }

  /** The state when it is ours, unexpired and sealed for exactly this binding. */
  function opened(state: string, binding: Record<string, string>): SealedState | undefined {
    const [payload, tag, extra] = state.split('.');
    if (!payload || !tag || extra !== undefined || state.length > 2048) return undefined;
    const expected = mac(payload);
    const given = Buffer.from(tag, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (typeof body.exp !== 'number' || body.exp <= now()) return undefined;
    if (!Object.entries(binding).every(([k, v]) => body[k] === v)) return undefined;
    return { id: b64(expected), expiresAt: body.exp };
  }
  const opens = (state: string, binding: Record<string, string>): boolean => opened(state, binding) !== undefined;

  const callBinding = (tool: string, args: unknown, caller: AuthenticatedCaller) => ({ sub: identityOf(caller), tool, args: digest(canonical(args)) });

  return {
    verifies: (state, { tool, args, caller }) => opens(state, callBinding(tool, args, caller)),
    open: (state, { tool, args, caller }) => opened(state, callBinding(tool, args, caller)),
    elicitor({ tool, args, caller, roundTrip }) {
      return async (message, requestedSchema) => {
        const binding = { ...callBinding(tool, args, caller), q: digest(canonical({ message, requestedSchema })) };
        const answer = roundTrip.inputResponses?.[KEY];
        // The answer counts only with the state this server sealed for this very question (the edge
        // already refused states not sealed for this caller and call); otherwise, with no state or a
        // question that changed since (the target changed), the question is asked again.
        if (answer !== undefined && roundTrip.requestState !== undefined && opens(roundTrip.requestState, binding)) {
          const a = answer as { action?: unknown; content?: unknown };
          if (a.action === 'accept' || a.action === 'decline' || a.action === 'cancel') {
            const content = typeof a.content === 'object' && a.content !== null && !Array.isArray(a.content) ? (a.content as Record<string, unknown>) : undefined;
            return { action: a.action, ...(content ? { content } : {}) };
          }
        }
        throw new InputRequired({
          resultType: 'input_required',
          inputRequests: { [KEY]: { method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } } },
          requestState: seal(binding),
        });
      };
    },
  };
}
