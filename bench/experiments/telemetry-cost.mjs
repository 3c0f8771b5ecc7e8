// Bench-only experiment: what tracing (OTEL_EXPORTER_OTLP_ENDPOINT, spans and OTLP metrics exported to
// the sandbox) costs per tools/list with a token (case b), as the server's CPU µs per request, telemetry
// off and on in turn. `node bench/experiments/telemetry-cost.mjs [requests] [repeats] [sample ratio]`
import { load } from '../load.mjs';
import { cpuSeconds, freePort, startOurServer, startSandboxProcess, stop } from '../processes.mjs';

const N = Number(process.argv[2] ?? 10_000);
const repeats = Number(process.argv[3] ?? 2);
const ratio = process.argv[4] ?? '1';
const H = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25' };
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

const sandbox = await startSandboxProcess(await freePort());
const variants = { off: {}, on: { OTEL_EXPORTER_OTLP_ENDPOINT: `${sandbox.url}/api`, OTEL_TRACES_SAMPLER_ARG: ratio } };
try {
  for (let rep = 0; rep < repeats; rep += 1) {
    for (const [name, env] of Object.entries(variants)) {
      const server = await startOurServer(await freePort(), { sandbox, env });
      try {
        const prm = await (await fetch(`${new URL(server.url).origin}/.well-known/oauth-protected-resource`)).json();
        const basic = Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64');
        const res = await fetch(server.tokenEndpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope: prm.scopes_supported.join(' ') }),
        });
        const token = (await res.json()).access_token;
        const kase = { url: server.url, connections: 50, headers: { ...H, Authorization: `Bearer ${token}` }, body: LIST, expectStatus: [200] };
        await load({ ...kase, amount: 2_000, maxS: 10, record: false });
        const cpu0 = cpuSeconds(server.pid);
        const r = await load({ ...kase, amount: N, maxS: 10 });
        const us = ((cpuSeconds(server.pid) - cpu0) * 1e6) / r.requests;
        process.stdout.write(`${JSON.stringify({ telemetry: name, sampleRatio: name === 'on' ? Number(ratio) : undefined, requests: r.requests, cpuUsPerRequest: Math.round(us), rps: Math.round(r.rps), p50Ms: Number(r.latencyMs.p50.toFixed(2)), errors: r.errors })}\n`);
      } finally {
        await stop(server);
      }
    }
  }
} finally {
  await stop(sandbox);
}
