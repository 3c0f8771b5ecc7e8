// BENCH_CASDOOR_URL: a real Casdoor's own /api/mcp measured side by side with this server, the same two
// cases (tools/list at N connections, a get_application tools/call at one), interleaved in rounds so
// both see the same machine. Casdoor's MCP knows only `application:read` style scopes, so
// BENCH_CASDOOR_TOKEN must be an access token Casdoor issued with application:read (an invalid one
// falls back to anonymous there, which answers tools/list with every tool and get_application refused).
import { load, merge } from './load.mjs';

const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

/** The settings from the environment: undefined when BENCH_CASDOOR_URL is unset. */
export function casdoorSideSettings(env) {
  const url = env.BENCH_CASDOOR_URL;
  if (!url) return undefined;
  const parsed = new URL(url);
  // A base URL gets Casdoor's path; a URL with a path is taken as the MCP endpoint itself.
  const mcpUrl = parsed.pathname === '/' || parsed.pathname === '' ? `${parsed.origin}/api/mcp` : url;
  return { mcpUrl, token: env.BENCH_CASDOOR_TOKEN ?? '', application: env.BENCH_CASDOOR_APPLICATION ?? 'admin/app-built-in' };
}

/** The JSON-RPC reply in a JSON or SSE body. */
function reply(text) {
  const data = text.trimStart().startsWith('{') ? text : text.split('\n').find((l) => l.startsWith('data:'))?.slice(5);
  return data ? JSON.parse(data) : undefined;
}

/**
 * Measures Casdoor's cases and ours side by side. `ours` holds this server's cases b and d (already
 * preflighted). Returns the figures and ratios (ours / Casdoor's), or { run: false, note } when
 * Casdoor's endpoint does not answer what the cases need.
 */
export async function measureCasdoorSide(settings, ours, options) {
  const { rounds, secondsPerCase, warmupSeconds, connections, log } = options;
  const auth = settings.token ? { Authorization: `Bearer ${settings.token}` } : {};
  const list = { url: settings.mcpUrl, connections, method: 'POST', headers: { ...HEADERS, ...auth }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), expectStatus: [200] };
  const call = {
    ...list,
    connections: 1,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_application', arguments: { id: settings.application } } }),
  };
  try {
    for (const [what, kase] of [['tools/list', list], ['get_application', call]]) {
      const res = await fetch(kase.url, { method: 'POST', headers: kase.headers, body: kase.body });
      const text = await res.text();
      if (res.status !== 200) return { run: false, mcpUrl: settings.mcpUrl, note: `not run: ${what} answered HTTP ${res.status}: ${text.slice(0, 200)}` };
      const r = reply(text);
      if (what === 'tools/list' && !(r?.result?.tools ?? []).some((t) => t.name === 'get_application')) {
        return { run: false, mcpUrl: settings.mcpUrl, note: `not run: tools/list has no get_application (a token without application:read gets {"tools": null}): ${text.slice(0, 200)}` };
      }
      if (what === 'get_application' && (!r?.result || r.result.isError)) {
        return { run: false, mcpUrl: settings.mcpUrl, note: `not run: get_application ${settings.application} failed: ${text.slice(0, 200)}` };
      }
    }
  } catch (err) {
    return { run: false, mcpUrl: settings.mcpUrl, note: `not run: ${settings.mcpUrl} unreachable: ${err.message}` };
  }
  const cases = { list, call, oursList: ours.b, oursCall: ours.d };
  for (const kase of Object.values(cases)) await load({ ...kase, durationS: warmupSeconds, record: false });
  const runs = Object.fromEntries(Object.keys(cases).map((id) => [id, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [id, kase] of Object.entries(cases)) {
      const r = await load({ ...kase, durationS: secondsPerCase / rounds });
      runs[id].push(r);
      log(`[casdoor side by side] round ${round + 1} ${id}: ${Math.round(r.rps)} req/s, p50 ${r.latencyMs.p50.toFixed(3)} ms, errors ${r.errors}`);
    }
  }
  const m = Object.fromEntries(Object.entries(runs).map(([id, rs]) => [id, merge(rs)]));
  const figures = (c) => ({ rps: c.rps, p50Ms: c.latencyMs.p50, p99Ms: c.latencyMs.p99, requests: c.requests, errors: c.errors, errorRate: c.errorRate });
  return {
    run: true,
    mcpUrl: settings.mcpUrl,
    application: settings.application,
    casdoor: { toolsList: figures(m.list), getApplication: figures(m.call) },
    ours: { toolsList: figures(m.oursList), getApplication: figures(m.oursCall) },
    ratios: {
      toolsListRps: m.oursList.rps / m.list.rps,
      getApplicationRps: m.oursCall.rps / m.call.rps,
      getApplicationP50: m.oursCall.latencyMs.p50 / m.call.latencyMs.p50,
    },
    note: `ours / Casdoor's own /api/mcp; tools/list at ${connections} connections, get_application at 1`,
  };
}

/** One line for the output. */
export function renderCasdoorSide(side) {
  if (!side.run) return `Casdoor's own /api/mcp side by side: ${side.note}`;
  const r = side.ratios;
  return (
    `Casdoor's own /api/mcp side by side (${side.mcpUrl}): tools/list ${Math.round(side.ours.toolsList.rps)} vs ${Math.round(side.casdoor.toolsList.rps)} req/s ` +
    `(${r.toolsListRps.toFixed(2)}×), get_application ${Math.round(side.ours.getApplication.rps)} vs ${Math.round(side.casdoor.getApplication.rps)} req/s ` +
    `(${r.getApplicationRps.toFixed(2)}×), p50 ${side.ours.getApplication.p50Ms.toFixed(2)} vs ${side.casdoor.getApplication.p50Ms.toFixed(2)} ms`
  );
}
