// Case g, the relay baseline: a bare node:http server that, for each POST, reads the body, makes the
// same Casdoor call as case d (GET get-application over a keep-alive agent) and answers with its body.
// No auth, no MCP, no validation: what one extra hop in front of Casdoor costs on this machine, so
// d − g is what our server adds beyond the hop itself.
// Usage: node bench/relay.mjs <port> <casdoor-url> <basic-auth-header>
import http from 'node:http';

const [port, casdoor, authorization] = process.argv.slice(2);
if (!port || !casdoor || !authorization) {
  process.stderr.write('usage: node bench/relay.mjs <port> <casdoor-url> <basic-auth-header>\n');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true });
const target = `${casdoor}/api/get-application?id=admin/acme-portal`;
http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      http
        .get(target, { agent, headers: { Authorization: authorization, Accept: 'application/json' } }, (up) => {
          const chunks = [];
          up.on('data', (c) => chunks.push(c));
          up.on('end', () => {
            const body = Buffer.concat(chunks);
            res.writeHead(up.statusCode ?? 502, { 'Content-Type': 'application/json', 'Content-Length': body.length });
            res.end(body);
          });
        })
        .on('error', () => {
          res.writeHead(502).end();
        });
    });
  })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write(`relay listening on ${port}\n`));
process.once('SIGTERM', () => process.exit(0));
