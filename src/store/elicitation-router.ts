import { isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { Delivery, ExchangeTransport, JSONRPCReply } from '../mcp/exchange-transport.js';
import { PREFIX } from './prefix.js';
import type { RedisStore } from './redis.js';

/** What became of a client's answer: handled here, or sent to the instance that asked. */
export type Routing = Delivery | 'forwarded' | 'unroutable';

/**
 * Routes a client's answer to a server request (a delete confirmation) to the instance whose tool
 * call is waiting for it. The question's id, as the client sees it, names the asking instance
 * ("<instance>:<n>"); an answer that a load balancer sends elsewhere is published on that instance's
 * channel, and the asking instance applies the usual check there (only the credential the question
 * went to may answer). Without a shared store everything stays local and ids are left as they are.
 */
export interface ElicitationRouter {
  /** The messages of one streamed answer, with server requests renamed so any instance can route the answer. */
  outbound(messages: AsyncGenerator<JSONRPCMessage, void>): AsyncGenerator<JSONRPCMessage, void>;
  /** A client's answer, from the credential `owner`. */
  inbound(reply: JSONRPCReply, owner: string | undefined): Promise<Routing>;
}

const WIRE_ID = /^([0-9a-f]{12}):(\d{1,15})$/;

interface Forwarded {
  reply: JSONRPCReply;
  owner: string;
}

function isForwarded(v: unknown): v is Forwarded {
  const f = v as Partial<Forwarded> | null;
  return (
    typeof f === 'object' && f !== null && typeof f.owner === 'string' && typeof f.reply === 'object' && f.reply !== null &&
    typeof f.reply.id === 'number' && (isJSONRPCResultResponse(f.reply) || isJSONRPCErrorResponse(f.reply))
  );
}

export async function createElicitationRouter(exchange: ExchangeTransport, store: RedisStore | undefined, logger: Logger): Promise<ElicitationRouter> {
  if (!store) {
    return {
      outbound: (messages) => messages,
      inbound: async (reply, owner) => exchange.respond(reply, owner),
    };
  }
  const me = store.instanceId;
  const channel = (instance: string) => `${PREFIX}answers:${instance}`;
  await store.subscribe(channel(me), (raw) => {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isForwarded(message)) return;
    const delivery = exchange.respond(message.reply, message.owner);
    if (delivery !== 'delivered') logger.warn({ delivery }, 'dropped a forwarded answer that matches no outstanding request of this client');
  });
  return {
    async *outbound(messages) {
      for await (const m of messages) {
        yield isJSONRPCRequest(m) && typeof m.id === 'number' ? { ...m, id: `${me}:${m.id}` } : m;
      }
    },
    async inbound(reply, owner) {
      const wire = typeof reply.id === 'string' ? WIRE_ID.exec(reply.id) : null;
      if (!wire) return exchange.respond(reply, owner);
      const local = { ...reply, id: Number(wire[2]) } as JSONRPCReply;
      if (wire[1] === me) return exchange.respond(local, owner);
      if (owner === undefined) return 'foreign';
      try {
        const receivers = await store.run((r) => r.publish(channel(wire[1]!), JSON.stringify({ reply: local, owner } satisfies Forwarded)));
        return receivers > 0 ? 'forwarded' : 'unroutable';
      } catch {
        return 'unroutable';
      }
    },
  };
}
