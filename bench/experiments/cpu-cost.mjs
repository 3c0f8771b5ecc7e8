// Bench-only experiment: the server's CPU time per request for each case, for several builds (see
// variants.mjs). CPU time per request is far less disturbed by other load on the machine than
// requests per second, so it compares builds fairly on a busy 2-core machine.
//   node bench/experiments/cpu-cost.mjs base,all [requests per case] [repeats]
import { load } from '../load.mjs';
import { cpuSeconds, freePort, memory, startOurServer, stop } from '../processes.mjs';

const variants = (process.argv[2] ?? 'base,all').split(',');
const N = Number(process.argv[3] ?? 20_000);
const repeats = Number(process.argv[4] ?? 2);
const H = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25' };
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_application', arguments: { id: 'admin/acme-portal' } } });

async function token(server, scope) {
  const basic = Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64');
  const res = await fetch(server.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return (await res.json()).access_token;
}

const rows = [];
for (let rep = 0; rep < repeats; rep += 1) {
  for (const v of variants) {
    const cli = v === 'dist' ? 'dist/src/cli.js' : `node_modules/.cache/casdoor-mcp-bench/${v}/dist/src/cli.js`;
    const server = await startOurServer(await freePort(), { cli });
    const prm = await (await fetch(`${new URL(server.url).origin}/.well-known/oauth-protected-resource`)).json();
    const all = prm.scopes_supported.join(' ');
    const rw = await token(server, all);
    const wo = await token(server, prm.scopes_supported.filter((s) => s !== 'read:application').join(' '));
    const cases = {
      b: { connections: 50, headers: { ...H, Authorization: `Bearer ${rw}` }, body: LIST, expectStatus: [200], amount: N },
      c: { connections: 50, headers: H, body: LIST, expectStatus: [200], amount: N },
      f: { connections: 50, headers: { ...H, Authorization: `Bearer ${wo}` }, body: CALL, expectStatus: [403], amount: N },
      d: { connections: 1, headers: { ...H, Authorization: `Bearer ${rw}` }, body: CALL, expectStatus: [200], amount: Math.round(N / 5) },
    };
    const row = { variant: v, start: Math.round(server.startMs) };
    for (const [id, k] of Object.entries(cases)) {
      await load({ url: server.url, ...k, amount: 2_000, record: false, maxS: 30 }); // warm-up
      const cpu0 = cpuSeconds(server.pid);
      const r = await load({ url: server.url, ...k, maxS: 60 });
      row[id] = Math.round(((cpuSeconds(server.pid) - cpu0) * 1e6) / r.requests);
      row[`${id}p50`] = Number(r.latencyMs.p50.toFixed(3));
      if (r.errors) row[`${id}errors`] = r.errors;
    }
    const mem = memory(server.pid);
    row.rss = Math.round(mem.rssMb);
    row.peak = Math.round(mem.peakMb);
    rows.push(row);
    process.stdout.write(`${JSON.stringify(row)}\n`);
    await stop(server);
  }
}
