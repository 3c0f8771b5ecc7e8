import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy did with one request: which backend got it and what it was. */
export interface Routed {
  backend: number;
  method: string;
  /** The JSON-RPC method, "response" for a client's answer, or "" when the body was not JSON-RPC. */
  rpc: string;
  status: number;
}

/**
 * A loopback load balancer: POSTs go to the backends in turn (round robin), anything else to the
 * first. Bodies and answers are streamed through, so SSE answers flow as they are written.
 */
export async function startRoundRobin(): Promise<{ url: string; backends: string[]; log: Routed[]; close(): Promise<void> }> {
  const backends: string[] = [];
  const log: Routed[] = [];
  let next = 0;
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const backend = req.method === 'POST' ? next++ % backends.length : 0;
      let rpc = '';
      try {
        const m = JSON.parse(body.toString('utf8')) as { method?: unknown; id?: unknown };
        rpc = typeof m.method === 'string' ? m.method : m.id !== undefined ? 'response' : '';
      } catch {
        // not JSON
      }
      const target = new URL(req.url ?? '/', backends[backend]);
      const entry: Routed = { backend, method: req.method ?? '', rpc, status: 0 };
      log.push(entry);
      const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' };
      const up = http.request(target, { method: req.method, headers, agent }, (upRes) => {
        entry.status = upRes.statusCode ?? 0;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', () => {
        entry.status = 502;
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end('bad gateway');
      });
      res.on('close', () => up.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    backends,
    log,
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
