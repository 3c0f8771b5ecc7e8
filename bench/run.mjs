// `npm run bench`: our server measured side by side with a bare Hono baseline, on loopback, in one run,
// in four configurations (plain; OpenTelemetry traces + Prometheus metrics on; the Redis store on; both),
// with the sandbox Casdoor in a process of its own. Prints the tables and writes bench/results.json. `--smoke` (or BENCH_SMOKE=1): one second per case and
// a short memory soak, written to the temp directory so the committed results stay as they are.
// Exits 0 whatever the targets say; non-zero only if a case had more than 1% errors or a server died.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { casdoorSideSettings, measureCasdoorSide, renderCasdoorSide } from './casdoor-side.mjs';
import { load, merge } from './load.mjs';
import { clientSockets, cpuSeconds, freePort, memory, startBaseline, startOurServer, startRedisServer, startRelay, startSandboxProcess, stop } from './processes.mjs';
import { CASES, evaluate, ratios, renderContext, renderTable, renderVariants } from './report.mjs';

const args = process.argv.slice(2);
const SMOKE = args.includes('--smoke') || ['1', 'true'].includes(process.env.BENCH_SMOKE ?? '');
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
// For investigations only: --out FILE, --server PATH (another build's cli.js), --seconds N, --rounds N, --soak N.
const OUT = option('--out') ?? (SMOKE ? join(tmpdir(), 'casdoor-mcp-bench-smoke.json') : fileURLToPath(new URL('results.json', import.meta.url)));
const SERVER = option('--server');
const SETTINGS = SMOKE
  ? { secondsPerCase: 1, rounds: 1, warmupSeconds: 0.5, soakRequests: 2_000, soakMaxSeconds: 10, throughputConnections: 50 }
  : { secondsPerCase: 6, rounds: 2, warmupSeconds: 2, soakRequests: 100_000, soakMaxSeconds: 120, throughputConnections: 50 };
if (option('--seconds')) SETTINGS.secondsPerCase = Number(option('--seconds'));
if (option('--rounds')) SETTINGS.rounds = Number(option('--rounds'));
if (option('--soak')) SETTINGS.soakRequests = Number(option('--soak'));
// --variants plain,telemetry,...: only these server configurations (default: all four).
const CUSTOM = ['--server', '--seconds', '--rounds', '--soak', '--variants'].some((o) => args.includes(o));
const VARIANT_NAMES = (option('--variants') ?? 'plain,telemetry,redis,telemetry+redis').split(',');
// BENCH_CASDOOR_URL (+ BENCH_CASDOOR_TOKEN): a real Casdoor's own /api/mcp beside the first variant (bench/casdoor-side.mjs).
const CASDOOR_SIDE = casdoorSideSettings(process.env);

const log = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-11-25' };
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_application', arguments: { id: 'admin/acme-portal' } } });

async function clientCredentials(server, scope) {
  const res = await fetch(server.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  const json = await res.json();
  if (!json.access_token) throw new Error(`token request for ${scope} failed: ${JSON.stringify(json)}`);
  return json.access_token;
}

/** One request per case before any load: each case must answer what it claims to measure. */
async function preflight(kase, check) {
  const res = await fetch(kase.url, { method: kase.method, headers: kase.headers, body: kase.body });
  const text = await res.text();
  if (!kase.expectStatus.includes(res.status)) throw new Error(`case ${kase.id}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  const problem = check(text);
  if (problem) throw new Error(`case ${kase.id}: ${problem}: ${text.slice(0, 300)}`);
  return text;
}

/**
 * A free port can be taken by another process between the probe and the server's bind (the machine is
 * shared): try another one then.
 */
async function startOnFreePort(options) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOurServer(await freePort(), options);
    } catch (err) {
      if (attempt >= 3 || !String(err.message).includes('EADDRINUSE')) throw err;
      log(`note: the port was taken before the server bound it; retrying on another`);
    }
  }
}

/**
 * One server configuration measured on its own: start it, check every case answers what it claims,
 * warm up, soak for memory, then the measured rounds (cases a and e are re-measured with it, so every
 * ratio compares figures taken side by side). Returns the figures and stops the server.
 */
async function measureVariant(name, env, shared) {
  const server = await startOnFreePort({ cli: SERVER, sandbox: shared.sandbox, env });
  try {
    log(`[${name}] server up: first tools/list ${server.startMs.toFixed(0)} ms after spawn`);
    const prm = await (await fetch(`${new URL(server.url).origin}/.well-known/oauth-protected-resource`)).json();
    const published = Array.isArray(prm.scopes_supported) && prm.scopes_supported.length ? prm.scopes_supported : ['read:application', 'write:application'];
    // b and d: a token with every scope the server publishes, so its tools/list is the anonymous one
    // (the same bytes as the baseline); f: the same minus read:application, so get_application is a 403.
    const allScopes = published.join(' ');
    const lackingRead = published.filter((s) => s !== 'read:application').join(' ') || 'write:application';
    const readWrite = await clientCredentials(server, allScopes);
    const writeOnly = await clientCredentials(server, lackingRead);
    const basic = `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64')}`;

    const mcp = (id, connections, headers, body, expectStatus = [200]) => ({ id, url: server.url, connections, method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body, expectStatus });
    const N = SETTINGS.throughputConnections;
    const cases = {
      a: { id: 'a', url: shared.baseline.url, connections: N, method: 'POST', headers: MCP_HEADERS, body: LIST, expectStatus: [200] },
      b: mcp('b', N, { Authorization: `Bearer ${readWrite}` }, LIST),
      c: mcp('c', N, {}, LIST),
      d: mcp('d', 1, { Authorization: `Bearer ${readWrite}` }, CALL),
      e: { id: 'e', url: `${server.sandboxUrl}/api/get-application?id=admin/acme-portal`, connections: 1, method: 'GET', headers: { Authorization: basic, Accept: 'application/json' }, expectStatus: [200] },
      f: mcp('f', N, { Authorization: `Bearer ${writeOnly}` }, CALL, [403]),
      g: { id: 'g', url: shared.relay.url, connections: 1, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: CALL, expectStatus: [200] },
    };
    const toolsOf = (text) => JSON.parse(text).result?.tools?.map((t) => t.name) ?? [];
    const anonymousBytes = await preflight(cases.c, (t) => (toolsOf(t).includes('get_application') ? '' : 'anonymous tools/list lacks get_application'));
    const listBytes = await preflight(cases.b, (t) => (toolsOf(t).includes('get_application') ? '' : 'the token tools/list lacks get_application'));
    if (listBytes !== shared.listBytes) throw new Error(`[${name}] the token's tools/list differs from the bytes the baseline serves`);
    await preflight(cases.d, (t) => {
      const r = JSON.parse(t).result;
      return r && !r.isError && r.structuredContent?.application?.name === 'acme-portal' ? '' : 'get_application did not return acme-portal';
    });
    await preflight(cases.e, (t) => (JSON.parse(t).data?.name === 'acme-portal' ? '' : 'the sandbox did not return acme-portal'));
    await preflight(cases.f, (t) => (JSON.parse(t).error?.code === -32001 ? '' : 'expected insufficient_scope (-32001)'));
    await preflight(cases.g, (t) => (JSON.parse(t).data?.name === 'acme-portal' ? '' : 'the relay did not return acme-portal'));
    await preflight(cases.a, (t) => (t === listBytes ? '' : 'the baseline must serve the same bytes'));

    const order = ['a', 'b', 'c', 'f', 'e', 'g', 'd'];
    const alive = () => {
      for (const p of [server, shared.baseline, shared.sandbox, shared.relay]) if (p.state.exit !== undefined) throw Object.assign(new Error(`the ${p.state.name} died: ${JSON.stringify(p.state.exit)}`), { crash: true });
    };
    // Warm-up: every case, so JIT, caches (token, tools/list, JWKS) and connection pools are warm.
    for (const id of order) {
      await load({ ...cases[id], durationS: SETTINGS.warmupSeconds, record: false });
      alive();
    }
    await sleep(1000);
    const warm = memory(server.pid);
    log(`[${name}] warm-up done; server RSS ${warm.rssMb.toFixed(1)} MB`);

    // Memory soak: the server's paths mixed (token and anonymous tools/list, a call, a refusal).
    const soakRequests = ['b', 'c', 'd', 'f'].map((id) => ({ method: 'POST', path: new URL(server.url).pathname, headers: cases[id].headers, body: cases[id].body }));
    const soak = await load({ url: server.url, connections: N, amount: SETTINGS.soakRequests, maxS: SETTINGS.soakMaxSeconds, requests: soakRequests, expectStatus: [200, 403], record: false });
    alive();
    await sleep(1000);
    const afterSoak = memory(server.pid);
    const soakComplete = !SMOKE && soak.requests >= 100_000;
    log(`[${name}] soak: ${soak.requests} requests in ${soak.elapsedS.toFixed(1)} s; RSS ${warm.rssMb.toFixed(1)} -> ${afterSoak.rssMb.toFixed(1)} MB`);

    // Measured runs, interleaved in rounds so drift of the machine spreads over every case.
    const rounds = Object.fromEntries(order.map((id) => [id, []]));
    const sockets = { distinctEstablished: new Set(), timeWaitBefore: 0, timeWaitAfter: 0, samples: 0 };
    const sandboxPort = Number(new URL(server.sandboxUrl).port);
    for (let round = 0; round < SETTINGS.rounds; round += 1) {
      for (const id of order) {
        let sampler;
        if (id === 'd') {
          sockets.timeWaitBefore += clientSockets(sandboxPort).timeWait;
          sampler = setInterval(() => {
            for (const s of clientSockets(sandboxPort).established) sockets.distinctEstablished.add(s);
            sockets.samples += 1;
          }, 100);
        }
        // CPU time of the process that answers: a cost per request that other load on the machine
        // disturbs far less than requests per second.
        const pid = id === 'a' ? shared.baseline.pid : id === 'e' ? shared.sandbox.pid : id === 'g' ? shared.relay.pid : server.pid;
        const cpu0 = cpuSeconds(pid);
        const r = await load({ ...cases[id], durationS: SETTINGS.secondsPerCase / SETTINGS.rounds });
        r.cpuSeconds = cpuSeconds(pid) - cpu0;
        if (sampler) {
          clearInterval(sampler);
          sockets.timeWaitAfter += clientSockets(sandboxPort).timeWait;
        }
        rounds[id].push(r);
        log(`[${name}] round ${round + 1} ${id}: ${Math.round(r.rps)} req/s, ${Math.round((r.cpuSeconds * 1e6) / Math.max(1, r.requests))} CPU µs/req, p50 ${r.latencyMs.p50.toFixed(3)} ms, p99 ${r.latencyMs.p99.toFixed(3)} ms, errors ${r.errors}`);
        alive();
      }
    }
    const final = memory(server.pid);
    const measured = Object.fromEntries(
      Object.keys(CASES).map((id) => {
        const merged = merge(rounds[id]);
        const cpu = rounds[id].reduce((n, r) => n + r.cpuSeconds, 0);
        return [id, { ...merged, cpuUsPerRequest: (cpu * 1e6) / Math.max(1, merged.requests) }];
      }),
    );
    const out = {
      env,
      tokens: { b_d: allScopes, f: lackingRead },
      toolsList: { tools: toolsOf(listBytes).length, bytes: Buffer.byteLength(listBytes), anonymousBytes: Buffer.byteLength(anonymousBytes) },
      cases: Object.fromEntries(Object.entries(measured).map(([id, c]) => [id, { label: CASES[id], ...c }])),
      ratios: ratios(measured),
      memory: {
        afterWarmupMb: warm.rssMb,
        soak: {
          requests: soak.requests,
          seconds: soak.elapsedS,
          errors: soak.errors,
          statusCodes: soak.statusCodes,
          mix: 'b, c, d, f in turn on each of 50 connections',
          beforeMb: warm.rssMb,
          afterMb: afterSoak.rssMb,
          growthMb: afterSoak.rssMb - warm.rssMb,
          complete: soakComplete,
          note: soakComplete ? '' : SMOKE ? 'smoke mode: shortened, not judged' : soak.requests < SETTINGS.soakRequests ? 'stopped by its time cap, not judged' : 'fewer than 100,000 requests, not judged',
        },
        finalMb: final.rssMb,
        peakMb: final.peakMb,
        baselinePeakMb: memory(shared.baseline.pid).peakMb,
      },
      startup: { firstToolsListMs: server.startMs },
      casdoorConnections: {
        note: 'client sockets to the sandbox during case d: distinct ESTABLISHED seen (100 ms samples), TIME_WAIT added',
        requests: measured.d.requests,
        distinctEstablished: sockets.distinctEstablished.size,
        timeWaitAdded: sockets.timeWaitAfter - sockets.timeWaitBefore,
      },
      serverLogLines: server.logLines.count,
      errorsAboveOnePercent: [...Object.entries(measured), ['soak', soak]].filter(([, c]) => c.errorRate > 0.01).map(([id, c]) => `${id} ${(c.errorRate * 100).toFixed(2)}% ${JSON.stringify(c.statusCodes)}`),
    };
    out.targets = evaluate(out);
    if (CASDOOR_SIDE && shared.casdoorSide === undefined) {
      shared.casdoorSide = await measureCasdoorSide(CASDOOR_SIDE, { b: cases.b, d: cases.d }, {
        rounds: SETTINGS.rounds, secondsPerCase: SETTINGS.secondsPerCase, warmupSeconds: SETTINGS.warmupSeconds, connections: N, log,
      });
      shared.casdoorSide.variant = name;
      log(renderCasdoorSide(shared.casdoorSide));
    }
    return out;
  } catch (err) {
    if (server?.logLines.count) process.stderr.write(`[${name}] server log (last lines):\n${server.logLines.last.join('\n')}\n`);
    throw err;
  } finally {
    await stop(server);
  }
}

let sandbox;
let baseline;
let relay;
let redis;
let dir;
let exitCode = 0;
try {
  const loadAtStart = loadavg();
  if (loadAtStart[0] > 0.5) log(`note: the 1-minute load average is ${loadAtStart[0].toFixed(2)} before the run; other work on this machine skews the figures`);
  log(`casdoor-mcp benchmark, ${SMOKE ? 'SMOKE mode (figures are not meaningful)' : 'full mode'}; ${cpus().length} CPUs, Node ${process.version}`);
  sandbox = await startSandboxProcess(await freePort());
  log(`sandbox (own process): ${sandbox.url}`);
  // The baseline serves exactly the bytes of the token's tools/list, read once from a plain server.
  const probe = await startOnFreePort({ cli: SERVER, sandbox });
  const probeToken = await clientCredentials(probe, ((await (await fetch(`${new URL(probe.url).origin}/.well-known/oauth-protected-resource`)).json()).scopes_supported ?? []).join(' '));
  const listBytes = await (await fetch(probe.url, { method: 'POST', headers: { ...MCP_HEADERS, Authorization: `Bearer ${probeToken}` }, body: LIST })).text();
  await stop(probe);
  dir = mkdtempSync(join(tmpdir(), 'casdoor-mcp-bench-'));
  writeFileSync(join(dir, 'tools-list.json'), listBytes);
  baseline = await startBaseline(join(dir, 'tools-list.json'), await freePort());
  redis = VARIANT_NAMES.some((v) => v.includes('redis')) ? await startRedisServer(await freePort()) : undefined;
  if (!redis && VARIANT_NAMES.some((v) => v.includes('redis'))) log('note: redis-server is not installed; the redis variants are left out');
  relay = await startRelay(await freePort(), sandbox.url, `Basic ${Buffer.from(`${sandbox.demo.clientId}:${sandbox.demo.clientSecret}`).toString('base64')}`);
  const shared = { sandbox, baseline, relay, listBytes };

  // Telemetry exports to the sandbox's OTLP endpoint (as to Casdoor's); metrics are on with it, scraped never.
  const VARIANTS = {
    plain: {},
    telemetry: { OTEL_EXPORTER_OTLP_ENDPOINT: `${sandbox.url}/api`, MCP_METRICS_TOKEN: 'bench-metrics-token-0123456789' },
    redis: redis ? { REDIS_URL: redis.url } : undefined,
    'telemetry+redis': redis ? { OTEL_EXPORTER_OTLP_ENDPOINT: `${sandbox.url}/api`, MCP_METRICS_TOKEN: 'bench-metrics-token-0123456789', REDIS_URL: redis.url } : undefined,
  };
  const variants = {};
  for (const name of VARIANT_NAMES) {
    if (!(name in VARIANTS)) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
    if (!VARIANTS[name]) continue;
    variants[name] = await measureVariant(name, VARIANTS[name], shared);
  }
  const spans = await (await fetch(`${sandbox.url}/api/v1/traces`)).json().then((j) => j.data?.length ?? 0, () => 0);
  const first = variants.plain ?? Object.values(variants)[0];
  const results = {
    mode: SMOKE ? 'smoke' : CUSTOM ? 'custom' : 'full',
    server: SERVER ?? 'dist/src/cli.js',
    machine: {
      date: new Date().toISOString(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${platform()} ${release()}`,
      loadAverage: { start: loadAtStart, end: loadavg() },
      loadAverage1m: { start: loadAtStart[0], end: loadavg()[0] },
    },
    settings: SETTINGS,
    sandbox: 'in its own process (bench/sandbox.mjs)',
    // The first variant's figures at the top level (the README's table); every variant below.
    ...first,
    variants,
    spansReceivedBySandbox: spans,
    casdoorSideBySide: shared.casdoorSide ?? { run: false, note: 'not run: BENCH_CASDOOR_URL unset' },
  };
  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${renderTable(results)}\n\n${renderVariants(results)}\n\n${renderContext(results)}\n`);
  process.stdout.write(
    `Connections to Casdoor during d: ${results.casdoorConnections.distinctEstablished} for ${results.casdoorConnections.requests} calls ` +
      `(${results.casdoorConnections.timeWaitAdded} closed). Server log lines at warn: ${results.serverLogLines}. Written to ${OUT}\n`,
  );
  process.stdout.write(`${renderCasdoorSide(results.casdoorSideBySide)}\n`);
  for (const [name, v] of Object.entries(variants)) {
    const missed = v.targets.filter((t) => t.pass === false);
    if (missed.length) process.stdout.write(`[${name}] targets missed (reported, not failed): ${missed.map((t) => t.id).join(', ')}\n`);
    if (v.errorsAboveOnePercent.length) {
      process.stderr.write(`[${name}] error rate above 1%: ${v.errorsAboveOnePercent.join('; ')}\n`);
      exitCode = 1;
    }
  }
} catch (err) {
  process.stderr.write(`benchmark failed: ${err.stack ?? err}\n`);
  exitCode = 1;
} finally {
  await stop(baseline);
  await stop(relay);
  await stop(sandbox);
  await stop(redis);
  if (dir) rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
