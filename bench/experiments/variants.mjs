// Bench-only experiment: copies a compiled snapshot of the server and applies, one at a time, the
// hot-path changes proposed for src/, so each can be measured with `node bench/run.mjs --server`.
// src/ is never touched. The patches are exact string replacements on the compiled JavaScript of one
// snapshot; a replacement that does not match stops the script (the snapshot's code has moved on).
//
//   npx tsc -p tsconfig.json --outDir node_modules/.cache/casdoor-mcp-bench/snap/dist
//   node bench/experiments/variants.mjs            # writes node_modules/.cache/casdoor-mcp-bench/<variant>/dist
//   node bench/run.mjs --server node_modules/.cache/casdoor-mcp-bench/all/dist/src/cli.js --out /tmp/all.json
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CACHE = 'node_modules/.cache/casdoor-mcp-bench';
// BENCH_SNAPSHOT names another snapshot directory under CACHE (default snap).
const SNAP = join(CACHE, process.env.BENCH_SNAPSHOT ?? 'snap', 'dist');

const PATCHES = {
  // hono's bodyLimit reads c.req.raw.body, which makes @hono/node-server build a full undici Request
  // and a web ReadableStream for every request. A declared Content-Length can be checked from Node's
  // own header object; only a body without one needs the streaming limit.
  'body-limit': [
    { file: 'src/app.js', find: 'app.post(path, bodyLimit({', replace: 'app.post(path, declaredLengthFirst(deps.maxBodyBytes, bodyLimit({' },
    { file: 'src/app.js', find: '}), mcpEndpoint({ ...deps, authorizationHeaders }));', replace: '})), mcpEndpoint({ ...deps, authorizationHeaders }));' },
    {
      file: 'src/app.js',
      append: `
function declaredLengthFirst(max, streaming) {
    return (c, next) => {
        const headers = c.env?.incoming?.headers;
        const length = headers?.['content-length'];
        if (length !== undefined && headers['transfer-encoding'] === undefined && /^\\d+$/.test(length) && Number(length) <= max)
            return next();
        return streaming(c, next);
    };
}
`,
    },
  ],
  // tools/list: the registry already keeps one array per scope set; keep its JSON too, and answer
  // without a JSON.stringify of the whole list (tens of kB) per request. Same bytes as the SDK's reply.
  'list-json': [
    {
      file: 'src/http/mcp-endpoint.js',
      find: '        const reply = await deps.exchange.request(body, extra, c.req.raw.signal);',
      replace: `        if (body.method === 'tools/list') {
            const tools = deps.registry.visibleTo(caller);
            let json = LIST_JSON.get(tools);
            if (json === undefined) {
                json = JSON.stringify({ tools });
                LIST_JSON.set(tools, json);
            }
            deps.ops?.replied({ jsonrpc: '2.0', id, result: {} }, 200);
            return c.body(\`{"result":\${json},"jsonrpc":"2.0","id":\${JSON.stringify(id)}}\`, 200, { 'Content-Type': 'application/json' });
        }
        const reply = await deps.exchange.request(body, extra, c.req.raw.signal);`,
    },
    { file: 'src/http/mcp-endpoint.js', prepend: 'const LIST_JSON = new WeakMap();\n' },
  ],
  // As list-json, but the JSON is kept as UTF-8 bytes: the list holds a non-ASCII character, so a
  // string would be measured (Buffer.byteLength) and transcoded again on every write.
  'list-bytes': [
    {
      file: 'src/http/mcp-endpoint.js',
      find: '        const reply = await deps.exchange.request(body, extra, c.req.raw.signal);',
      replace: `        if (body.method === 'tools/list') {
            const tools = deps.registry.visibleTo(caller);
            let head = LIST_BYTES.get(tools);
            if (head === undefined) {
                head = Buffer.from(\`{"result":\${JSON.stringify({ tools })},"jsonrpc":"2.0","id":\`);
                LIST_BYTES.set(tools, head);
            }
            deps.ops?.replied({ jsonrpc: '2.0', id, result: {} }, 200);
            return c.body(Buffer.concat([head, Buffer.from(\`\${JSON.stringify(id)}}\`)]), 200, { 'Content-Type': 'application/json' });
        }
        const reply = await deps.exchange.request(body, extra, c.req.raw.signal);`,
    },
    { file: 'src/http/mcp-endpoint.js', prepend: 'const LIST_BYTES = new WeakMap();\n' },
  ],
  // As list-json, with every non-ASCII character written as a \\u escape (the same JSON value): the
  // cached string is then one-byte ASCII, so measuring and writing it needs no UTF-8 transcoding.
  'list-ascii': [
    {
      file: 'src/http/mcp-endpoint.js',
      find: '        const reply = await deps.exchange.request(body, extra, c.req.raw.signal);',
      replace: `        if (body.method === 'tools/list') {
            const tools = deps.registry.visibleTo(caller);
            let json = LIST_JSON.get(tools);
            if (json === undefined) {
                json = JSON.stringify({ tools }).replace(/[\\u0080-\\uffff]/g, (ch) => \`\\\\u\${ch.charCodeAt(0).toString(16).padStart(4, '0')}\`);
                LIST_JSON.set(tools, json);
            }
            deps.ops?.replied({ jsonrpc: '2.0', id, result: {} }, 200);
            return c.body(\`{"result":\${json},"jsonrpc":"2.0","id":\${JSON.stringify(id)}}\`, 200, { 'Content-Type': 'application/json' });
        }
        const reply = await deps.exchange.request(body, extra, c.req.raw.signal);`,
    },
    { file: 'src/http/mcp-endpoint.js', prepend: 'const LIST_JSON = new WeakMap();\n' },
  ],
  // The sandbox keeps a log of every request it served (tests read it); in a long-running `npm start`
  // it grows without bound. Keep the last 10,000.
  'sandbox-log-cap': [
    {
      file: 'src/sandbox/faults.js',
      find: '            auth: classifyAuth(c), at: ctx.clock(),\n        });',
      replace: '            auth: classifyAuth(c), at: ctx.clock(),\n        });\n        if (ctx.requests.length > 10_000)\n            ctx.requests.splice(0, ctx.requests.length - 10_000);',
    },
  ],
  // The opposite of the shipped design, to answer "does a per-request McpServer cost?" by numbers.
  'per-request-server': [
    {
      file: 'src/main.js',
      find: '    const exchange = new ExchangeTransport();\n    await core.mcp.connect(exchange);',
      replace: `    const shared = new ExchangeTransport();
    await core.mcp.connect(shared);
    const exchange = Object.create(shared);
    exchange.request = async (message, extra, signal) => {
        const transport = new ExchangeTransport({ clients: shared.clients });
        const server = createMcpServer({ registry: core.registry, casdoor: instrumentAdapter(core.adapter), logger, version: 'bench' });
        await server.connect(transport);
        try {
            return await transport.request(message, extra, signal);
        }
        finally {
            await server.close();
        }
    };`,
    },
  ],
};
const VARIANTS = {
  base: [],
  'body-limit': ['body-limit'],
  'list-json': ['list-json'],
  all: ['body-limit', 'list-json'],
  'all-bytes': ['body-limit', 'list-bytes'],
  'all-ascii': ['body-limit', 'list-ascii'],
  'all-capped': ['body-limit', 'list-json', 'sandbox-log-cap'],
  'per-request-server': ['per-request-server'],
};

for (const [name, patches] of Object.entries(VARIANTS)) {
  const dir = join(CACHE, name, 'dist');
  if (name !== 'snap') rmSync(join(CACHE, name), { recursive: true, force: true });
  cpSync(SNAP, dir, { recursive: true });
  for (const p of patches.flatMap((id) => PATCHES[id])) {
    const file = join(dir, p.file);
    let text = readFileSync(file, 'utf8');
    if (p.find !== undefined) {
      if (text.split(p.find).length !== 2) throw new Error(`${name}: ${p.file}: the text to replace is not there exactly once: ${p.find.slice(0, 60)}`);
      text = text.replace(p.find, () => p.replace);
    }
    if (p.append) text += p.append;
    if (p.prepend) text = p.prepend + text;
    writeFileSync(file, text);
  }
  process.stdout.write(`${name}: ${join(dir, 'src', 'cli.js')}\n`);
}
