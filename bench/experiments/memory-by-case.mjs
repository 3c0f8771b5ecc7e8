// Bench-only experiment: which kind of request makes the server's memory grow? Runs the given cases
// one after another (N requests each) and prints the server's RSS before and after each.
//   BENCH_CLI=<cli.js> node bench/experiments/memory-by-case.mjs b,c,f,d [N=20000] [connections=50]
// With BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' it also leaves a CPU profile.
import { load } from '../load.mjs';
import { freePort, memory, startOurServer, startSandboxProcess, stop } from '../processes.mjs';
// The sandbox in its own process, as in the benchmark.
const sandbox = await startSandboxProcess(await freePort());
const server = await startOurServer(await freePort(), { cli: process.env.BENCH_CLI, sandbox });
console.log(`start: RSS ${memory(server.pid).rssMb.toFixed(1)} MB`);
const tok = async (scope) => (await (await fetch(server.tokenEndpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64')}` }, body: new URLSearchParams({ grant_type: 'client_credentials', scope }) })).json()).access_token;
const rw = await tok('read:application write:application read:user write:user');
const wo = await tok('write:application read:user write:user');
const H = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_application', arguments: { id: 'admin/acme-portal' } } });
const kinds = (process.argv[2] ?? 'c,b,f,d').split(',');
const conns = Number(process.argv[4] ?? 50);
const defs = { b: { headers: { ...H, Authorization: `Bearer ${rw}` }, body: LIST, s: [200] }, c: { headers: H, body: LIST, s: [200] }, f: { headers: { ...H, Authorization: `Bearer ${wo}` }, body: CALL, s: [403] }, d: { headers: { ...H, Authorization: `Bearer ${rw}` }, body: CALL, s: [200] } };
const n = Number(process.argv[3] ?? 20000);
for (const k of kinds) {
  const before = memory(server.pid);
  const r = await load({ url: server.url, connections: Number(process.argv[4] ?? 50), amount: n, maxS: 60, headers: defs[k].headers, body: defs[k].body, expectStatus: defs[k].s, record: false });
  await new Promise((res) => setTimeout(res, 1500));
  const after = memory(server.pid);
  console.log(`${k}: ${r.requests} req ${Math.round(r.rps)} rps err ${r.errors}; RSS ${before.rssMb.toFixed(1)} -> ${after.rssMb.toFixed(1)} (peak ${after.peakMb.toFixed(1)})`);
}
await stop(server);
await stop(sandbox);
