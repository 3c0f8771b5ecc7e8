import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { currentScope } from '../ops/request-context.js';
import { corsHeaders } from './cors.js';

/**
 * Tells @hono/node-server that the reply is written already (its x-hono-already-sent header). Its own
 * RESPONSE_ALREADY_SENT does not work once the server has replaced the global Response with its
 * lightweight one: such a Response takes the cached path, which ignores the header and writes the
 * head again (ERR_HTTP_HEADERS_SENT, and the connection is lost). Reading `body` once turns this one
 * into a plain Response, which takes the path that honours the header (test/http/raw-reply.test.ts).
 */
export const RESPONSE_ALREADY_SENT = new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
void RESPONSE_ALREADY_SENT.body;

/**
 * Sends a 200 JSON reply made of pre-encoded parts straight to Node's response, with the headers every
 * MCP answer carries (request id, CORS). For tools/list: the cached list bytes and the request's id are
 * written as they are, where one body would first copy tens of kB per request (Buffer.concat was a
 * quarter of the server's CPU on tools/list under load). Without Node's response (app.request in
 * tests) the parts are joined into one body.
 */
export function sendJsonParts(c: Context, parts: readonly Buffer[]): Response {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!outgoing || outgoing.headersSent) return c.body(Buffer.concat(parts, length), 200, { 'Content-Type': 'application/json' });
  // The headers app.ts set on `c` for every answer, set again here: reading them back through c.res
  // would make Hono wrap the returned Response into one that writes the head a second time.
  const origin = c.req.header('origin');
  const requestId = currentScope()?.requestId;
  const headers: Record<string, string | number> = {
    ...(origin === undefined ? {} : corsHeaders(origin)),
    ...(requestId === undefined ? {} : { 'X-Request-Id': requestId }),
    'Content-Type': 'application/json',
    'Content-Length': length,
  };
  outgoing.writeHead(200, headers);
  for (let i = 0; i < parts.length - 1; i += 1) outgoing.write(parts[i]);
  outgoing.end(parts[parts.length - 1]);
  return RESPONSE_ALREADY_SENT;
}
