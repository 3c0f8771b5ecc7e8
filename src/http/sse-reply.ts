import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { isJSONRPCErrorResponse, isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { HTTP_STATUS_OF } from '../auth/errors.js';
import type { JSONRPCReply } from '../mcp/exchange-transport.js';

const isReply = (m: JSONRPCMessage): m is JSONRPCReply => isJSONRPCResultResponse(m) || isJSONRPCErrorResponse(m);

/**
 * Answers one request whose handler may talk to the client first (elicitation). When the reply comes
 * before anything else, it is plain JSON with the usual status (a refusal keeps its 403). Otherwise
 * the answer becomes an SSE stream (Streamable HTTP): each message as `event: message`, the reply
 * last, then the stream closes. The client POSTs its answers to server requests to the same URL.
 */
export async function replyMaybeStreamed(
  c: Context,
  messages: AsyncGenerator<JSONRPCMessage, void>,
  onReply: (reply: JSONRPCReply, status: number) => void,
): Promise<Response> {
  const first = await messages.next();
  // The client went away before anything was said: nobody reads this answer.
  if (first.done) return c.body(null, 204);
  if (isReply(first.value)) {
    const status = 'error' in first.value ? (HTTP_STATUS_OF[first.value.error.code] ?? 200) : 200;
    onReply(first.value, status);
    return c.json(first.value, status as 200);
  }
  return streamSSE(c, async (stream) => {
    const write = (m: JSONRPCMessage): Promise<void> => stream.writeSSE({ event: 'message', data: JSON.stringify(m) });
    try {
      await write(first.value);
      for await (const m of messages) {
        await write(m);
        if (isReply(m)) onReply(m, 200);
      }
    } catch {
      // The client closed the stream; its request's signal cancels the handler. Nothing to say to anyone.
    }
  });
}
