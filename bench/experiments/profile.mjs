// Investigation only: CPU profile of one case on our server (node --cpu-prof), with the sandbox in its
// own process. `node bench/experiments/profile.mjs b|c|d|f [seconds] [outDir] [telemetry]` prints the top
// functions by self time and writes the .cpuprofile for a viewer; `telemetry` exports to the sandbox's OTLP.
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, startOurServer, startSandboxProcess, stop } from '../processes.mjs';

const [kase = 'b', seconds = '8', outDir = '/tmp/prof', extra] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
process.env.BENCH_SERVER_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${outDir}`;
const sandbox = await startSandboxProcess(await freePort());
const env = extra === 'telemetry' ? { OTEL_EXPORTER_OTLP_ENDPOINT: `${sandbox.url}/api` } : {};
const server = await startOurServer(await freePort(), { sandbox, env });
const token = async (scope) => {
  const res = await fetch(server.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return (await res.json()).access_token;
};
const scopes = JSON.parse(readFileSync(new URL('../../scopes.json', import.meta.url))).scopes ?? {};
const all = Object.keys(scopes).join(' ');
const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25' };
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_application', arguments: { id: 'admin/acme-portal' } } });
const t = await token(all);
// f: every scope but read:application, so get_application is refused with insufficient_scope.
const lacking = kase === 'f' ? await token(Object.keys(scopes).filter((s) => s !== 'read:application').join(' ')) : t;
const cases = {
  b: { headers: { ...headers, Authorization: `Bearer ${t}` }, body: LIST, connections: 50 },
  c: { headers, body: LIST, connections: 50 },
  d: { headers: { ...headers, Authorization: `Bearer ${t}` }, body: CALL, connections: 1 },
  f: { headers: { ...headers, Authorization: `Bearer ${lacking}` }, body: CALL, connections: 50 },
};
const c = cases[kase];
const r = await autocannon({ url: `${server.url}`, method: 'POST', headers: c.headers, body: c.body, connections: c.connections, duration: Number(seconds) });
console.log(`${kase}: ${Math.round(r.requests.average)} req/s, non2xx ${r.non2xx}, errors ${r.errors}`);
await stop(server);
await stop(sandbox);
const file = readdirSync(outDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(outDir, f)).sort().pop();
const profile = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map();
const dt = profile.timeDeltas;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
let total = 0;
for (const [id, us] of counts) {
  const n = byId.get(id);
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/casdoor-mcp\//, '')}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + us);
  total += us;
}
console.log(`profile ${file}, ${(total / 1e6).toFixed(1)} s sampled`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
const groups = new Map();
for (const [id, us] of counts) {
  const url = byId.get(id).callFrame.url;
  const g = url.includes('node_modules/') ? url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1') : url.includes('/dist/src/') ? url.replace(/.*\/dist\/src\/([^/]+).*/, 'ours:$1') : url.startsWith('node:') ? 'node:' + url.slice(5).split('/').slice(0, 2).join('/') : byId.get(id).callFrame.functionName || '(native)';
  groups.set(g, (groups.get(g) ?? 0) + us);
}
console.log('--- by module');
for (const [k, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
// Inclusive time per function (each sample counted once per distinct frame on its stack).
const parent = new Map();
for (const n of profile.nodes) for (const ch of n.children ?? []) parent.set(ch, n.id);
const incl = new Map();
const label = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\/src\//, 'ours:')}:${n.callFrame.lineNumber}`;
for (const [id, us] of counts) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = label(byId.get(cur));
    if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + us); }
  }
}
console.log('--- inclusive');
for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).filter(([k]) => !/^\((root|program|idle|garbage)/.test(k)).slice(0, 60)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
// Who calls the native anonymous frames.
const anonParents = new Map();
for (const [id, us] of counts) {
  const n = byId.get(id);
  if (n.callFrame.url || n.callFrame.functionName !== '') continue;
  const p = byId.get(parent.get(id));
  const k = p ? label(p) : '?';
  anonParents.set(k, (anonParents.get(k) ?? 0) + us);
}
console.log('--- callers of native (anon)');
for (const [k, us] of [...anonParents].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
