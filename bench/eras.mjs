// `node bench/eras.mjs [--before PATH/TO/cli.js] [--seconds N] [--rounds N]`: the two protocol eras
// side by side on one server, and optionally against another build (e.g. the commit before 2026-07-28
// was added), in interleaved rounds so that other work on the machine skews every column alike.
// Cases: tools/list with a token (50 connections), tools/list anonymous (50), tools/call
// get_application (1 connection). Prints requests per second, the server's CPU time per request (the
// steadier figure on a busy machine) and latency per case and era, and the ratios; writes nothing.
// Needs `npm run build`.
import { load, merge } from './load.mjs';
import { cpuSeconds, freePort, startOurServer, stop } from './processes.mjs';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const BEFORE = option('--before');
const SECONDS = Number(option('--seconds') ?? 5);
const ROUNDS = Number(option('--rounds') ?? 3);
const log = (line) => process.stderr.write(`${line}\n`);

const LEGACY = '2025-11-25';
const MODERN = '2026-07-28';
const META = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} };
const BASE = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

function request(era, method, params = {}) {
  if (era === LEGACY) return { headers: { ...BASE, 'MCP-Protocol-Version': LEGACY }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) };
  const name = method === 'tools/call' ? { 'Mcp-Name': params.name } : {};
  return { headers: { ...BASE, 'MCP-Protocol-Version': MODERN, 'Mcp-Method': method, ...name }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: META } }) };
}

async function token(server, scope) {
  const basic = `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64')}`;
  const res = await fetch(server.tokenEndpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: basic }, body: new URLSearchParams({ grant_type: 'client_credentials', scope }) });
  return (await res.json()).access_token;
}

const CALL = { name: 'get_application', arguments: { id: 'admin/acme-portal' } };
function casesFor(label, server, era, bearer) {
  const auth = { Authorization: `Bearer ${bearer}` };
  const mk = (kind, connections, method, params, extra) => {
    const r = request(era, method, params);
    return { key: `${kind} ${label} ${era}`, kind, label, era, pid: server.pid, url: server.url, connections, headers: { ...r.headers, ...extra }, body: r.body, expectStatus: [200] };
  };
  return [mk('list-token', 50, 'tools/list', {}, auth), mk('list-anon', 50, 'tools/list', {}, {}), mk('call', 1, 'tools/call', CALL, auth)];
}

const servers = [];
try {
  const after = await startOurServer(await freePort());
  servers.push(after);
  const scope = 'read:application write:application read:user write:user';
  const cases = [...casesFor('this', after, LEGACY, await token(after, scope)), ...casesFor('this', after, MODERN, await token(after, scope))];
  if (BEFORE) {
    const before = await startOurServer(await freePort(), { cli: BEFORE });
    servers.push(before);
    cases.push(...casesFor('before', before, LEGACY, await token(before, scope)));
  }
  for (const k of cases) {
    const res = await fetch(k.url, { method: 'POST', headers: k.headers, body: k.body });
    const json = await res.json();
    if (res.status !== 200 || !json.result || json.result.isError) throw new Error(`${k.key}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
  }
  const rounds = Object.fromEntries(cases.map((k) => [k.key, []]));
  const cpu = Object.fromEntries(cases.map((k) => [k.key, 0]));
  for (let round = 0; round < ROUNDS; round++) {
    // Each round visits the cases in a rotated order, so no column always runs first or last.
    const order = cases.map((_, i) => cases[(i + round) % cases.length]);
    for (const k of order) {
      await load({ url: k.url, connections: 1, amount: 200, headers: k.headers, body: k.body, expectStatus: k.expectStatus, record: false });
      const cpu0 = cpuSeconds(k.pid);
      rounds[k.key].push(await load({ url: k.url, connections: k.connections, durationS: SECONDS, headers: k.headers, body: k.body, expectStatus: k.expectStatus }));
      cpu[k.key] += cpuSeconds(k.pid) - cpu0;
    }
    log(`round ${round + 1}/${ROUNDS} done`);
  }
  const rows = cases.map((k) => {
    const m = merge(rounds[k.key]);
    return { ...k, m, cpuUs: (cpu[k.key] * 1e6) / Math.max(1, m.requests) };
  });
  console.log(`\n${'case'.padEnd(12)} ${'server'.padEnd(7)} ${'era'.padEnd(11)} ${'req/s'.padStart(8)} ${'CPU µs/req'.padStart(10)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} errors`);
  for (const r of rows) {
    console.log(`${r.kind.padEnd(12)} ${r.label.padEnd(7)} ${r.era.padEnd(11)} ${r.m.rps.toFixed(0).padStart(8)} ${r.cpuUs.toFixed(0).padStart(10)} ${r.m.latencyMs.p50.toFixed(2).padStart(7)} ${r.m.latencyMs.p99.toFixed(2).padStart(7)} ${r.m.errors}`);
  }
  const row = (kind, label, era) => rows.find((r) => r.kind === kind && r.label === label && r.era === era);
  const ratio = (kind, a, b) => `req/s ${(row(kind, ...a).m.rps / row(kind, ...b).m.rps).toFixed(2)}, CPU/req ${(row(kind, ...a).cpuUs / row(kind, ...b).cpuUs).toFixed(2)}`;
  console.log('');
  for (const kind of ['list-token', 'list-anon', 'call']) {
    const parts = [`${kind}: 2026/2025 on this build: ${ratio(kind, ['this', MODERN], ['this', LEGACY])}`];
    if (BEFORE) parts.push(`2025 this/before: ${ratio(kind, ['this', LEGACY], ['before', LEGACY])}`, `2026 this / 2025 before: ${ratio(kind, ['this', MODERN], ['before', LEGACY])}`);
    console.log(parts.join('; '));
  }
  if (rows.some((r) => r.m.errorRate > 0.01)) process.exitCode = 1;
} finally {
  for (const s of servers) await stop(s);
}
