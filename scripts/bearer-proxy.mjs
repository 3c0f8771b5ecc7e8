// A loopback HTTP proxy that puts one bearer token on every request it forwards, so tools that cannot
// send an Authorization header (the MCP conformance CLI) exercise the authenticated path of the server.
//
// Host and Origin are rewritten only when they name the proxy itself: a request that arrives with a
// foreign Host or Origin (the conformance suite's DNS-rebinding probe) reaches the server unchanged and
// must be refused there.
//
//   UPSTREAM=http://127.0.0.1:3000 TOKEN=eyJ… PORT=4004 node scripts/bearer-proxy.mjs
import http from 'node:http';
import { pathToFileURL } from 'node:url';

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade']);

/**
 * Starts the proxy. `token` may be a string or a function returning one (read per request, so a
 * caller can swap tokens). Resolves once listening with { url, port, close() }.
 */
export async function startBearerProxy({ upstream, token, host = '127.0.0.1', port = 0, timeoutMs = 30_000 }) {
  const target = new URL(upstream);
  if (target.protocol !== 'http:') throw new Error('bearer-proxy: UPSTREAM must be an http:// URL (loopback testing only)');
  const tokenOf = typeof token === 'function' ? token : () => token;
  let self = new Set(); // the proxy's own Host values, filled in once the port is known

  const server = http.createServer((req, res) => {
    const headers = {};
    for (const [name, value] of Object.entries(req.headers)) {
      // Any client-sent Authorization is dropped: exactly one token, ours, goes upstream.
      if (!HOP_BY_HOP.has(name) && name !== 'authorization' && value !== undefined) headers[name] = value;
    }
    headers.authorization = `Bearer ${tokenOf()}`;
    if (self.has(String(req.headers.host ?? '').toLowerCase())) headers.host = target.host;
    const origin = req.headers.origin;
    if (typeof origin === 'string' && URL.canParse(origin) && self.has(new URL(origin).host.toLowerCase())) headers.origin = target.origin;

    const out = http.request(
      { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers, timeout: timeoutMs },
      (up) => {
        const back = {};
        for (const [name, value] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) back[name] = value;
        res.writeHead(up.statusCode ?? 502, back);
        up.pipe(res);
      },
    );
    const fail = (status, message) => {
      if (res.headersSent) return res.destroy();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: `bearer-proxy: ${message}` } }));
    };
    out.on('timeout', () => out.destroy(new Error('upstream timed out')));
    out.on('error', (err) => fail(502, err.message));
    req.on('error', () => out.destroy());
    req.pipe(out);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address().port;
  const name = host.includes(':') ? `[${host}]` : host;
  self = new Set([`${name}:${bound}`, `localhost:${bound}`, `127.0.0.1:${bound}`]);
  return {
    url: `http://${name}:${bound}`,
    port: bound,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { UPSTREAM, TOKEN, PORT } = process.env;
  if (!UPSTREAM || !TOKEN) {
    process.stderr.write('usage: UPSTREAM=http://127.0.0.1:3000 TOKEN=<access token> [PORT=4004] node scripts/bearer-proxy.mjs\n');
    process.exit(2);
  }
  const proxy = await startBearerProxy({ upstream: UPSTREAM, token: TOKEN, port: Number(PORT ?? 0) });
  process.stdout.write(`bearer-proxy listening: ${proxy.url} -> ${UPSTREAM}\n`);
  const stop = () => proxy.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
