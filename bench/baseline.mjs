// Case a, the baseline: a bare Hono app on @hono/node-server that reads the POST body and answers
// with fixed bytes (our server's own tools/list response). No auth, no MCP, no JSON parsing: what
// any Hono POST endpoint costs on this machine. Usage: node bench/baseline.mjs <body-file> <port>
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const [bodyFile, port] = process.argv.slice(2);
if (!bodyFile || !port) {
  process.stderr.write('usage: node bench/baseline.mjs <body-file> <port>\n');
  process.exit(2);
}
const body = readFileSync(bodyFile, 'utf8');
const app = new Hono();
app.post('*', async (c) => {
  await c.req.text(); // a real endpoint reads what it was sent
  return c.body(body, 200, { 'Content-Type': 'application/json' });
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(port) }, (info) => {
  process.stdout.write(`baseline listening on ${info.port}\n`);
});
process.once('SIGTERM', () => process.exit(0));
