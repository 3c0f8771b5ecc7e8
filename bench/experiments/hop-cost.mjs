// Investigation only: what one extra process in front of Casdoor costs on this machine, one request at
// a time: e (the sandbox directly), g (a bare node:http relay making the same call, bench/relay.mjs)
// and d (our server's tools/call get_application), interleaved in rounds, with each process's CPU.
// `node bench/experiments/hop-cost.mjs [seconds-per-case] [rounds]`
import { load } from '../load.mjs';
import { cpuSeconds, freePort, startOurServer, startRelay, startSandboxProcess, stop } from '../processes.mjs';

const [seconds = '3', rounds = '3'] = process.argv.slice(2);
const sandbox = await startSandboxProcess(await freePort());
const server = await startOurServer(await freePort(), { sandbox });
const basic = `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64')}`;
const relay = await startRelay(await freePort(), server.sandboxUrl, basic);
const token = (await (await fetch(server.tokenEndpoint, {
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic },
  body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read:application' }),
})).json()).access_token;
const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_application', arguments: { id: 'admin/acme-portal' } } });
const cases = {
  e: { pid: sandbox.pid, url: `${server.sandboxUrl}/api/get-application?id=admin/acme-portal`, method: 'GET', headers: { Authorization: basic } },
  g: { pid: relay.pid, url: relay.url, method: 'POST', body: CALL, headers: { 'Content-Type': 'application/json' } },
  d: { pid: server.pid, url: server.url, method: 'POST', body: CALL, headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25', Authorization: `Bearer ${token}` } },
};
for (const c of Object.values(cases)) await load({ ...c, connections: 1, durationS: 1, expectStatus: [200], record: false });
const out = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < Number(rounds); r += 1) {
  for (const [id, c] of Object.entries(cases)) {
    const cpu0 = cpuSeconds(c.pid);
    const sb0 = cpuSeconds(sandbox.pid);
    const res = await load({ ...c, connections: 1, durationS: Number(seconds), expectStatus: [200] });
    const us = ((cpuSeconds(c.pid) - cpu0) * 1e6) / res.requests;
    const sbUs = ((cpuSeconds(sandbox.pid) - sb0) * 1e6) / res.requests;
    out[id].push(res.latencyMs.p50);
    console.log(`round ${r + 1} ${id}: p50 ${res.latencyMs.p50.toFixed(3)} ms, ${Math.round(res.rps)} req/s, front ${Math.round(us)} CPU µs/req, sandbox ${Math.round(sbUs)} CPU µs/req, errors ${res.errors}`);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`median of rounds: e ${med(out.e).toFixed(3)}, g ${med(out.g).toFixed(3)}, d ${med(out.d).toFixed(3)} ms; g−e ${(med(out.g) - med(out.e)).toFixed(3)}, d−g ${(med(out.d) - med(out.g)).toFixed(3)}`);
await stop(relay);
await stop(server);
await stop(sandbox);
process.exit(0);
