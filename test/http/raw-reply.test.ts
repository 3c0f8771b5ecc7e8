// tools/list is written straight to Node's response (src/http/raw-reply.ts). What clients rely on:
// every reply on a keep-alive connection arrives whole, with its own id and the headers every MCP
// answer carries, and the connection stays usable for the next request, including other methods.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MCP_RATE_LIMIT_READS_PER_MINUTE: '100000' });
});
afterAll(async () => h.close());

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: string;
}

/** One POST on the given agent (one socket), reporting which local port carried it. */
function post(agent: http.Agent, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL('/mcp', h.url);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, socket: `${req.socket?.localPort}` }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('tools/list written straight to the connection', () => {
  it('keeps a keep-alive connection whole over many replies, each with its own id', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<string>();
    const lengths = new Set<number>();
    for (let i = 0; i < 200; i += 1) {
      const id = i % 2 === 0 ? i : `id-${i}`;
      const res = await post(agent, rpc('tools/list', undefined, id));
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
      const reply = JSON.parse(res.body) as { id: unknown; result: { tools: unknown[] } };
      expect(reply.id).toBe(id);
      lengths.add(reply.result.tools.length);
      sockets.add(res.socket);
    }
    // Another method on the same connection after them: answered by the usual path.
    const other = await post(agent, call('whoami', {}, 'after'));
    expect(other.status).toBe(401);
    expect(JSON.parse(other.body).id).toBe('after');
    sockets.add(other.socket);
    agent.destroy();
    expect(sockets.size).toBe(1);
    expect(lengths.size).toBe(1);
  });

  it('carries the request id and, for an allowed Origin, the CORS headers', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const origin = new URL(h.url).origin;
    const res = await post(agent, rpc('tools/list'), { Origin: origin, 'X-Request-Id': 'req-123' });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
    expect(res.headers['content-type']).toBe('application/json');

    const plain = await post(agent, rpc('tools/list'));
    expect(plain.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    agent.destroy();
  });
});
