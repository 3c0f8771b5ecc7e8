// Load with nothing lost. Starts the built server (child process, sandbox Casdoor), drives N concurrent
// MCP clients (the SDK's own Client over Streamable HTTP) for S seconds with a mix of reads, adds,
// partial updates and deletes on each client's own applications, with tokens of different scopes.
// Then it checks the sandbox's stored state, through its REST API, against what every client was
// told: each add reported done exists, each delete reported done is gone, each update's fields hold,
// and nothing exists that was not reported done. Prints the figures; exits non-zero on any lost or
// phantom write, any 5xx, any unexpected refusal or error, or RSS over the bound.
//
//   npm run build && npm run soak            # 50 clients, 60 s
//   npm run soak -- --short                  # 10 clients, 5 s (CI)
//   SOAK_CLIENTS=20 SOAK_SECONDS=30 SOAK_MAX_RSS_MB=300 SOAK_HEAP_MB=64 npm run soak
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { grant, requireBuild, startBuiltServer } from './lib/built-server.mjs';

const short = process.argv.includes('--short');
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? (short ? 10 : 50));
const SECONDS = Number(process.env.SOAK_SECONDS ?? (short ? 5 : 60));
const MAX_RSS_MB = Number(process.env.SOAK_MAX_RSS_MB ?? 400);
/** Caps the server's V8 heap (MB): a leak then ends in a crash the soak reports, not in slow growth. */
const HEAP_MB = process.env.SOAK_HEAP_MB ? Number(process.env.SOAK_HEAP_MB) : undefined;
const CALL_TIMEOUT_MS = 30_000;
const PREFIX = 'soak-';

requireBuild('soak');

// ---------- the server under test ----------
function startServer() {
  return startBuiltServer({
    nodeArgs: HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : [],
    // Limits stay on (exercised under load) but high enough that this load never meets them.
    env: { MCP_RATE_LIMIT_READS_PER_MINUTE: '1000000', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '1000000' },
  });
}

/** Resident set size of a process in MB (Linux /proc; elsewhere ps). */
function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** Casdoor's own view (the sandbox REST API, authenticated as the server's app): never via MCP. */
async function casdoorApps(s) {
  const basic = Buffer.from(`${s.clientId}:${s.clientSecret}`).toString('base64');
  const res = await fetch(`${s.casdoor}/api/get-applications?owner=admin`, { headers: { Authorization: `Basic ${basic}` } });
  const body = await res.json();
  if (body.status !== 'ok' || !Array.isArray(body.data)) throw new Error(`get-applications failed: ${JSON.stringify(body).slice(0, 200)}`);
  return new Map(body.data.filter((a) => a.name.startsWith(PREFIX)).map((a) => [a.name, a]));
}

// ---------- the clients ----------
// Roles by client index: scope spellings and principals vary; readers also try a write (expected 403).
const ROLES = [
  { role: 'reader', grant: { grant_type: 'client_credentials', scope: 'read:application' }, writes: false },
  { role: 'writer', grant: { grant_type: 'client_credentials', scope: 'read:application write:application' }, writes: true },
  { role: 'admin-alias', grant: { grant_type: 'client_credentials', scope: 'admin' }, writes: true },
  { role: 'upstream-spelling', grant: { grant_type: 'client_credentials', scope: 'application:read application:write' }, writes: true },
  { role: 'user-admin', grant: { grant_type: 'password', username: 'admin', password: '123', scope: 'read:application write:application' }, writes: true },
];
const ORGS = ['built-in', 'acme', 'globex'];

const stats = { requests: 0, latencies: [], errors: {}, expectedRefusals: 0, ops: { read: 0, add: 0, update: 0, delete: 0, list: 0 } };
const examples = new Map(); // error kind -> first message seen, to say what went wrong
const count = (kind, detail) => {
  stats.errors[kind] = (stats.errors[kind] ?? 0) + 1;
  if (detail !== undefined && !examples.has(kind)) examples.set(kind, String(detail).slice(0, 300));
};
/** What each client was told, per application name: { exists, fields } or { exists: false }; unknown = ambiguous. */
const told = new Map();

/** One tool call; classifies the outcome. Returns the structured result on success, else undefined. */
async function invoke(client, name, args, expect = 'ok') {
  const started = performance.now();
  stats.requests += 1;
  try {
    const result = await client.callTool({ name, arguments: args }, undefined, { timeout: CALL_TIMEOUT_MS });
    stats.latencies.push(performance.now() - started);
    if (result.isError) {
      count(`tool error (${name})`, `${JSON.stringify(args).slice(0, 120)} -> ${result.content?.[0]?.text}`);
      return { failed: true, text: result.content?.[0]?.text };
    }
    if (expect !== 'ok') count(`allowed though ${expect} was expected (${name})`);
    return { ok: true, value: result.structuredContent };
  } catch (err) {
    stats.latencies.push(performance.now() - started);
    const code = err?.code;
    if (expect === 'insufficient_scope' && code === 403 && /insufficient_scope/.test(err.message)) {
      stats.expectedRefusals += 1;
      return { refused: true };
    }
    const detail = `${name} ${JSON.stringify(args).slice(0, 120)} -> ${err?.message}`;
    if (typeof code === 'number' && code >= 500) count(`HTTP ${code}`, detail);
    else if (typeof code === 'number' && code >= 400 && code < 600) count(`HTTP ${code} (unexpected refusal)`, detail);
    else if (/timed? ?out/i.test(String(err?.message))) count('timeout', detail);
    else count(`${err?.name ?? 'Error'}: ${String(err?.message).slice(0, 80)}`, detail);
    return { failed: true, ambiguous: true };
  }
}

async function runClient(s, index, deadline) {
  const role = ROLES[index % ROLES.length];
  const token = await grant(s, role.grant);
  const client = new Client({ name: `soak-${index}`, version: '0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(s.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  const mine = []; // names this client believes exist
  let seq = 0;
  const rnd = (n) => Math.floor(Math.random() * n);
  while (Date.now() < deadline) {
    seq += 1;
    if (!role.writes) {
      const pick = rnd(20);
      if (pick === 0) {
        stats.ops.add += 1;
        await invoke(client, 'add_application', { application: { name: `${PREFIX}denied-${index}-${seq}`, organization: 'acme' } }, 'insufficient_scope');
      } else if (pick < 6) {
        stats.ops.list += 1;
        await invoke(client, 'get_applications', { organization: ORGS[rnd(3)], pageSize: 10 });
      } else {
        stats.ops.read += 1;
        const r = await invoke(client, 'get_application', { id: `admin/${['acme-portal', 'acme-api', 'globex-web', 'app-built-in'][rnd(4)]}` });
        if (r.ok && !r.value?.application?.name) count('read returned no application');
      }
      continue;
    }
    const roll = rnd(100);
    const op = mine.length === 0 || (roll < 30 && mine.length < 25) ? 'add' : roll < 55 ? 'update' : roll < 70 ? 'delete' : roll < 95 ? 'read' : 'list';
    stats.ops[op] += 1;
    if (op === 'add') {
      const name = `${PREFIX}c${index}-${seq}`;
      const fields = { displayName: `Soak ${index}/${seq}`, description: `added ${seq}` };
      const r = await invoke(client, 'add_application', { application: { name, organization: ORGS[index % 3], ...fields } });
      if (r.ok) {
        told.set(name, { exists: true, fields, owner: index });
        mine.push(name);
      } else if (r.ambiguous) told.set(name, { unknown: true });
    } else if (op === 'update') {
      const name = mine[rnd(mine.length)];
      // A partial update: one or two fields, the others must stay as they were.
      const patch = rnd(2) ? { description: `updated ${seq}` } : { displayName: `Soak ${index}/${seq}`, description: `updated ${seq}` };
      const r = await invoke(client, 'update_application', { id: `admin/${name}`, application: patch });
      if (r.ok) Object.assign(told.get(name).fields, patch);
      else if (r.ambiguous) told.set(name, { unknown: true });
    } else if (op === 'delete') {
      const at = rnd(mine.length);
      const name = mine[at];
      const r = await invoke(client, 'delete_application', { id: `admin/${name}`, confirm: true, name });
      if (r.ok && r.value?.deleted === true) {
        told.set(name, { exists: false });
        mine.splice(at, 1);
      } else if (r.ok) count('delete answered without deleting');
      else if (r.ambiguous) told.set(name, { unknown: true });
    } else if (op === 'read') {
      // Read-your-writes: the server must show what this client was last told.
      const name = mine[rnd(mine.length)];
      const r = await invoke(client, 'get_application', { id: `admin/${name}` });
      const want = told.get(name);
      if (r.ok && want?.fields) {
        const got = r.value.application;
        if (got.displayName !== want.fields.displayName || got.description !== want.fields.description) count('stale read (own write not visible)');
      }
    } else {
      await invoke(client, 'get_applications', { organization: ORGS[index % 3], pageSize: 20 });
    }
  }
  await client.close();
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// ---------- run ----------
const server = startServer();
let exitCode = 1;
try {
  const s = await server.ready;
  const pid = server.child.pid;
  const rss = { start: rssMb(pid), peak: 0, end: 0, samples: [] };
  const sampler = setInterval(() => {
    const v = rssMb(pid);
    rss.samples.push(v);
    rss.peak = Math.max(rss.peak, v);
  }, 500);
  console.log(`soak: ${CLIENTS} clients for ${SECONDS} s against ${s.url} (sandbox ${s.casdoor})${HEAP_MB ? `, server heap capped at ${HEAP_MB} MB` : ''}`);
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  const results = await Promise.allSettled(Array.from({ length: CLIENTS }, (_, i) => runClient(s, i, deadline)));
  const elapsed = (Date.now() - started) / 1000;
  for (const r of results) if (r.status === 'rejected') count(`client failed: ${String(r.reason?.message ?? r.reason).slice(0, 100)}`);
  clearInterval(sampler);
  rss.end = rssMb(pid);
  rss.peak = Math.max(rss.peak, rss.end);

  // The check: Casdoor's stored state against what every client was told.
  const stored = await casdoorApps(s);
  const lost = [];
  const phantom = [];
  let checked = 0;
  let unknown = 0;
  for (const [name, want] of told) {
    if (want.unknown) {
      unknown += 1;
      continue;
    }
    checked += 1;
    const got = stored.get(name);
    if (want.exists && !got) lost.push(`${name}: reported added, missing`);
    else if (want.exists && (got.displayName !== want.fields.displayName || got.description !== want.fields.description)) {
      lost.push(`${name}: fields ${JSON.stringify({ displayName: got.displayName, description: got.description })}, reported ${JSON.stringify(want.fields)}`);
    } else if (!want.exists && got) lost.push(`${name}: reported deleted, still there`);
  }
  for (const name of stored.keys()) if (!told.get(name)?.exists && !told.get(name)?.unknown) phantom.push(`${name}: exists, never reported done (or reported deleted)`);

  const alive = server.child.exitCode === null;
  const serverErrors = server.stderr().split('\n').filter((l) => /"level":(50|60)/.test(l)).length;
  const errorTotal = Object.values(stats.errors).reduce((a, b) => a + b, 0);
  const fivexx = Object.entries(stats.errors).filter(([k]) => /^HTTP 5\d\d/.test(k)).reduce((a, [, v]) => a + v, 0);
  const figures = {
    clients: CLIENTS,
    seconds: SECONDS,
    ...(HEAP_MB ? { serverHeapCapMb: HEAP_MB } : {}),
    requests: stats.requests,
    requestsPerSecond: Math.round(stats.requests / elapsed),
    operations: stats.ops,
    expectedRefusals: stats.expectedRefusals,
    errors: stats.errors,
    latencyMs: { p50: +percentile(stats.latencies, 50).toFixed(1), p99: +percentile(stats.latencies, 99).toFixed(1), max: +percentile(stats.latencies, 100).toFixed(1) },
    rssMb: {
      start: +rss.start.toFixed(0),
      // At each quarter of the run: growth that keeps climbing would show here.
      quarters: [0.25, 0.5, 0.75].map((q) => +(rss.samples[Math.floor(q * rss.samples.length)] ?? NaN).toFixed(0)),
      peak: +rss.peak.toFixed(0),
      end: +rss.end.toFixed(0),
    },
    writesChecked: checked,
    ambiguous: unknown,
    lost: lost.length,
    phantom: phantom.length,
    serverErrorLogs: serverErrors,
    serverAlive: alive,
  };
  console.log(JSON.stringify(figures, null, 2));
  for (const [kind, example] of examples) console.log(`  first ${kind}: ${example}`);
  for (const line of [...lost, ...phantom].slice(0, 20)) console.log(`  ${line}`);
  const problems = [];
  if (lost.length || phantom.length) problems.push(`${lost.length} lost and ${phantom.length} phantom writes`);
  if (fivexx) problems.push(`${fivexx} responses with HTTP 5xx`);
  if (errorTotal) problems.push(`${errorTotal} unexpected errors or refusals`);
  if (unknown) problems.push(`${unknown} writes with an ambiguous outcome`);
  if (!(rss.peak < MAX_RSS_MB)) problems.push(`peak RSS ${rss.peak.toFixed(0)} MB is not below ${MAX_RSS_MB} MB`);
  if (!alive) problems.push('the server exited');
  if (serverErrors) problems.push(`the server logged ${serverErrors} errors`);
  if (stats.requests < CLIENTS) problems.push('almost no requests were made');
  if (problems.length === 0) {
    console.log(`soak: OK: ${stats.requests} requests, 0 errors, p99 ${figures.latencyMs.p99} ms, peak RSS ${figures.rssMb.peak} MB, ${checked} writes checked, 0 lost or phantom writes`);
    exitCode = 0;
  } else {
    console.log(`soak: FAILED: ${problems.join('; ')}`);
  }
} catch (err) {
  console.error(`soak: ${err.stack ?? err.message}`);
} finally {
  server.child.kill('SIGTERM');
}
process.exit(exitCode);
