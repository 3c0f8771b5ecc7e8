import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from './auth/caller.js';
import { Refusal } from './auth/errors.js';
import { gate } from './auth/gate.js';
import type { ToolRegistry } from './mcp/registry.js';
import type { EdgeOps } from './ops/edge.js';
import { newScope, requestIdFrom, runInScope, type RequestScope } from './ops/request-context.js';

export interface GatedStdioOptions {
  /** The caller of every message, resolved per message so an expired token stops working mid-session. */
  resolveCaller(): Promise<Caller>;
  /** Audit label for how the caller authenticated, when caller.kind does not say it (--full-access). */
  via?: string;
  registry: ToolRegistry;
  ops: EdgeOps;
  /** Whether the connected client declared elicitation (stdio can carry server requests). */
  canElicit(): boolean;
}

/**
 * The stdio edge: wraps the SDK's stdio transport so that every inbound message goes through the
 * same steps as over HTTP (caller, rate limit, gate, audit) before the shared SDK Server sees it.
 * A refusal is a JSON-RPC error written straight back to the client; nothing refused reaches a tool.
 * Messages are handled one after another, in arrival order.
 */
export class GatedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private queue: Promise<void> = Promise.resolve();
  /** tools/call requests in flight, so their replies get an audit line in their own scope. */
  private readonly calls = new Map<RequestId, RequestScope>();
  /** Requests dispatched and not yet answered, so stdin closing does not cut their replies off. */
  private readonly unanswered = new Set<RequestId>();
  private drained?: () => void;

  constructor(
    private readonly inner: Transport,
    private readonly options: GatedStdioOptions,
  ) {}

  async start(): Promise<void> {
    this.inner.onmessage = (message) => {
      this.queue = this.queue.then(() => this.handle(message)).catch((err: unknown) => this.onerror?.(err as Error));
    };
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (err) => this.onerror?.(err);
    await this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      this.unanswered.delete(message.id);
      if (this.unanswered.size === 0) this.drained?.();
      const scope = this.calls.get(message.id);
      if (scope) {
        this.calls.delete(message.id);
        runInScope(scope, () => this.options.ops.replied(message as { error?: { code: number; data?: unknown }; result?: unknown }, 200));
      }
    }
    await this.inner.send(message, options);
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  /** Resolves once every message received so far is handled and every request answered, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    await this.queue;
    if (this.unanswered.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async handle(message: JSONRPCMessage): Promise<void> {
    // Answers to the server's own requests (elicitation) go straight to the Server.
    if (!('method' in message)) {
      this.onmessage?.(message);
      return;
    }
    const { ops, registry } = this.options;
    const scope = newScope('stdio', requestIdFrom(undefined));
    const id = isJSONRPCRequest(message) ? message.id : undefined;
    await runInScope(scope, async () => {
      ops.received(message);
      let caller: Caller;
      try {
        caller = await this.options.resolveCaller();
      } catch (err) {
        ops.refused(err);
        if (id !== undefined) await this.inner.send(errorReply(id, err));
        return;
      }
      if (this.options.via) scope.via = this.options.via;
      const refusal =
        (await ops.admit(undefined, caller, message.method, message.params)) ??
        gate(caller, message.method, message.params, registry) ??
        (await ops.admitWrite(undefined, caller, message.method, message.params));
      if (refusal) {
        ops.refused(refusal);
        if (id !== undefined) await this.inner.send(errorReply(id, refusal));
        return;
      }
      if (id !== undefined) this.unanswered.add(id);
      if (id !== undefined && message.method === 'tools/call') this.calls.set(id, scope);
      const extra: MessageExtraInfo = { authInfo: { token: '', clientId: '', scopes: [], extra: { caller, canElicit: this.options.canElicit() } } };
      this.onmessage?.(message, extra);
    });
  }
}

function errorReply(id: RequestId, err: unknown): JSONRPCErrorResponse {
  if (err instanceof Refusal) {
    return { jsonrpc: '2.0', id, error: { code: err.rpcCode, message: err.rpcMessage, ...(err.data === undefined ? {} : { data: err.data }) } };
  }
  // Casdoor or its JWKS could not be reached, so the token could not be checked.
  return { jsonrpc: '2.0', id, error: { code: -32603, message: 'Casdoor is unreachable, so the token cannot be checked; retry shortly' } };
}
