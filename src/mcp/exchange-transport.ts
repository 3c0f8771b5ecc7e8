import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { createClientCapabilityStore, type ClientCapabilityStore } from './client-capabilities.js';

export type JSONRPCReply = JSONRPCResultResponse | JSONRPCErrorResponse;

/** Where the messages a request's handler sends to the client (elicitation, notifications) go. */
export interface RelatedChannel {
  /** The credential key of the client that sent the request: only it may answer server requests. */
  owner: string;
  deliver(message: JSONRPCMessage): void;
}

interface Pending {
  originalId: RequestId;
  resolve(reply: JSONRPCReply): void;
  related?: RelatedChannel;
  /** Server->client requests sent on behalf of this request and not yet answered. */
  serverRequests: Set<number>;
}

/** What became of a client's answer to a server request. */
export type Delivery = 'delivered' | 'unknown' | 'foreign';

/**
 * An in-process transport that lets one long-lived SDK Server answer many concurrent HTTP requests.
 * Each inbound request gets a fresh internal id, so two clients that both send id 1 never collide,
 * and the reply is handed back to the HTTP request that asked with its original id restored.
 * This keeps the server stateless on the wire (no Mcp-Session-Id) without a Server per request.
 *
 * A request dispatched with a related channel can also receive the server's requests to the client
 * (elicitation/create) and notifications made on its behalf. Each such server request is recorded
 * with the credential of the client it went to; a client's answer reaches the Server only when it
 * comes from that same credential, so no other client can answer someone's elicitation.
 */
export class ExchangeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  /** What each credential's client declared in its last initialize (see client-capabilities.ts). */
  readonly clients: ClientCapabilityStore;

  private readonly pending = new Map<number, Pending>();
  /** Outstanding server->client request id -> the credential that may answer it and its parent request. */
  private readonly outstanding = new Map<number, { owner: string; parent: number }>();
  private nextId = 1;

  /** Longest wait for the Server's reply; beyond it the request is answered with an error (a backstop). */
  private readonly replyDeadlineMs: number;

  constructor(options: { clients?: ClientCapabilityStore; replyDeadlineMs?: number } = {}) {
    this.clients = options.clients ?? createClientCapabilityStore();
    // Longer than any legitimate handler: Casdoor timeouts plus a 120 s question to the user.
    this.replyDeadlineMs = options.replyDeadlineMs ?? 180_000;
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const entry = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
      if (!entry) return; // the HTTP request that asked is gone (aborted)
      this.finish(message.id as number, entry);
      entry.resolve({ ...message, id: entry.originalId });
      return;
    }
    const parentId = typeof options?.relatedRequestId === 'number' ? options.relatedRequestId : undefined;
    const parent = parentId === undefined ? undefined : this.pending.get(parentId);
    if (isJSONRPCRequest(message)) {
      if (!parent?.related || typeof message.id !== 'number') {
        // Nobody can carry it (plain JSON reply, or the client left): fail it now instead of letting
        // the handler wait for the SDK's timeout.
        const refusal: JSONRPCErrorResponse = {
          jsonrpc: '2.0',
          id: message.id,
          error: { code: ErrorCode.InternalError, message: 'the client cannot receive server requests on this exchange' },
        };
        queueMicrotask(() => this.onmessage?.(refusal));
        return;
      }
      this.outstanding.set(message.id, { owner: parent.related.owner, parent: parentId! });
      parent.serverRequests.add(message.id);
      parent.related.deliver(message);
      return;
    }
    if (isJSONRPCNotification(message)) {
      if (message.method === 'notifications/cancelled') {
        const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
        if (typeof id === 'number') this.forget(id);
      }
      // Notifications unrelated to a live request have no stream to travel on: dropped.
      parent?.related?.deliver(message);
    }
  }

  /**
   * Dispatches one request and resolves with its reply. `signal` aborting cancels the handler.
   * With `related`, messages the handler sends to the client are handed to it as they come.
   */
  request(message: JSONRPCRequest, extra: MessageExtraInfo, signal?: AbortSignal, related?: RelatedChannel): Promise<JSONRPCReply> {
    const id = this.nextId++;
    if (this.nextId > Number.MAX_SAFE_INTEGER - 1) this.nextId = 1;
    return new Promise<JSONRPCReply>((resolve) => {
      const cancel = (reason: string): boolean => {
        const entry = this.pending.get(id);
        if (!entry) return false;
        this.finish(id, entry);
        // Lets the SDK abort the handler's signal, so a Casdoor call in flight is not waited for.
        this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
        return true;
      };
      // A message the SDK drops without answering would otherwise hold this request open forever.
      const deadline = setTimeout(() => {
        if (!cancel('no reply in time')) return;
        this.onerror?.(new Error(`no reply to ${message.method} within ${this.replyDeadlineMs} ms`));
        resolve({ jsonrpc: '2.0', id: message.id, error: { code: ErrorCode.InternalError, message: 'Internal error: the request got no reply in time' } });
      }, this.replyDeadlineMs);
      deadline.unref();
      const onAbort = (): void => {
        clearTimeout(deadline);
        cancel('client went away');
      };
      const settle = (reply: JSONRPCReply): void => {
        clearTimeout(deadline);
        // A request's signal can outlive it (a finalizer keeps it until a later GC); a listener left on
        // it would keep this reply alive with it.
        signal?.removeEventListener('abort', onAbort);
        resolve(reply);
      };
      this.pending.set(id, { originalId: message.id, resolve: settle, related, serverRequests: new Set() });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.onmessage?.({ ...message, id }, extra);
    });
  }

  /**
   * Dispatches one request and yields, in order, every message its handler sends to the client and
   * finally the reply. Ends early, without a reply, when `signal` aborts.
   */
  async *stream(message: JSONRPCRequest, extra: MessageExtraInfo, owner: string, signal?: AbortSignal): AsyncGenerator<JSONRPCMessage, void> {
    const queue: JSONRPCMessage[] = [];
    let finished = false;
    let wake: (() => void) | undefined;
    const push = (m: JSONRPCMessage): void => {
      queue.push(m);
      wake?.();
    };
    const end = (): void => {
      finished = true;
      wake?.();
    };
    signal?.addEventListener('abort', end, { once: true });
    void this.request(message, extra, signal, { owner, deliver: push }).then((reply) => {
      push(reply);
      end();
    });
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }

  /**
   * Hands a client's answer to a server request to the Server, if that request is outstanding and
   * was sent to the same credential. Anything else is dropped: 'unknown' (never sent, already
   * answered, timed out) or 'foreign' (sent to another client).
   */
  respond(message: JSONRPCReply, owner: string | undefined): Delivery {
    const entry = typeof message.id === 'number' ? this.outstanding.get(message.id) : undefined;
    if (!entry) return 'unknown';
    if (owner === undefined || entry.owner !== owner) return 'foreign';
    this.forget(message.id as number);
    this.onmessage?.(message);
    return 'delivered';
  }

  /**
   * Delivers a client notification; nothing is answered. Only notifications/initialized passes:
   * a client's notifications/cancelled names its own request ids, which mean nothing here (ids are
   * remapped) and could otherwise cancel another client's request. Closing the HTTP request cancels.
   */
  notify(message: JSONRPCNotification, extra: MessageExtraInfo): void {
    if (message.method === 'notifications/initialized') this.onmessage?.(message, extra);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** A request is over: its server requests can no longer be answered. */
  private finish(id: number, entry: Pending): void {
    this.pending.delete(id);
    for (const sid of entry.serverRequests) this.outstanding.delete(sid);
  }

  private forget(serverRequestId: number): void {
    const entry = this.outstanding.get(serverRequestId);
    if (!entry) return;
    this.outstanding.delete(serverRequestId);
    this.pending.get(entry.parent)?.serverRequests.delete(serverRequestId);
  }
}
