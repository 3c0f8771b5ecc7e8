import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCResultResponse,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCNotification,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

export type JSONRPCReply = JSONRPCResultResponse | JSONRPCErrorResponse;

interface Pending {
  originalId: RequestId;
  resolve(reply: JSONRPCReply): void;
}

/**
 * An in-process transport that lets one long-lived SDK Server answer many concurrent HTTP requests.
 * Each inbound request gets a fresh internal id, so two clients that both send id 1 never collide,
 * and the reply is handed back to the HTTP request that asked with its original id restored.
 * This keeps the server stateless on the wire (no Mcp-Session-Id) without a Server per request.
 */
export class ExchangeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const entry = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
      if (!entry) return; // the HTTP request that asked is gone (aborted)
      this.pending.delete(message.id as number);
      entry.resolve({ ...message, id: entry.originalId });
    }
    // Server-initiated requests and notifications have no stream to travel on in JSON mode: dropped.
  }

  /** Dispatches one request and resolves with its reply. `signal` aborting cancels the handler. */
  request(message: JSONRPCRequest, extra: MessageExtraInfo, signal?: AbortSignal): Promise<JSONRPCReply> {
    const id = this.nextId++;
    if (this.nextId > Number.MAX_SAFE_INTEGER - 1) this.nextId = 1;
    return new Promise<JSONRPCReply>((resolve) => {
      this.pending.set(id, { originalId: message.id, resolve });
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.delete(id)) return;
          // Lets the SDK abort the handler's signal, so a Casdoor call in flight is not waited for.
          this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'client went away' } });
        },
        { once: true },
      );
      this.onmessage?.({ ...message, id }, extra);
    });
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
}
