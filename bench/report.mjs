// Targets and the one table the benchmark prints (and the README shows). Run directly to print the
// table of a results file: node bench/report.mjs [bench/results.json]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CASES = {
  a: 'a. baseline: bare Hono, same tools/list bytes',
  b: 'b. tools/list, bearer token',
  c: 'c. tools/list, anonymous',
  d: 'd. tools/call get_application, token, sandbox',
  e: 'e. GET /api/get-application on the sandbox, direct',
  f: 'f. tools/call, token lacking the scope (403)',
  g: 'g. bare node:http relay making the same Casdoor call',
};

/** The ratios the issue names, and the two comparisons the targets need. */
export function ratios(cases) {
  const { a, b, c, d, e, f, g } = cases;
  return {
    b_a: b.rps / a.rps,
    c_a: c.rps / a.rps,
    d_e: d.rps / e.rps,
    f_b: f.rps / b.rps,
    p99_b_a: b.latencyMs.p99 / a.latencyMs.p99,
    d_minus_e_p50_ms: d.latencyMs.p50 - e.latencyMs.p50,
    // Not targets: the median d − e split into the extra hop itself (g − e) and what our server adds beyond it (d − g).
    ...(g ? { g_minus_e_p50_ms: g.latencyMs.p50 - e.latencyMs.p50, d_minus_g_p50_ms: d.latencyMs.p50 - g.latencyMs.p50 } : {}),
  };
}

/** Each target with the measured value and whether it is met (null when this run could not tell). */
export function evaluate(results) {
  const r = results.ratios;
  const m = results.memory;
  const t = (id, what, value, limit, pass) => ({ id, what, value, limit, pass });
  return [
    t('b_a', 'b/a requests per second at 50 connections', r.b_a, '>= 0.6', r.b_a >= 0.6),
    t('c_a', 'c/a requests per second at 50 connections', r.c_a, '>= 0.7', r.c_a >= 0.7),
    t('p99_b_a', 'p99 of b / p99 of a', r.p99_b_a, '<= 3', r.p99_b_a <= 3),
    t('d_minus_e_p50', 'median of d minus median of e at 1 connection (ms)', r.d_minus_e_p50_ms, '<= 1 ms', r.d_minus_e_p50_ms <= 1),
    t('f_b', 'f/b requests per second (a refusal is at least as fast)', r.f_b, '>= 1', r.f_b >= 1),
    t(
      'rss_growth',
      `RSS after ${m.soak.requests.toLocaleString('en-US')} requests minus RSS after warm-up (MB)`,
      m.soak.growthMb,
      '<= 20 MB',
      m.soak.complete ? m.soak.growthMb <= 20 : null,
    ),
    t('peak_rss', 'peak RSS of the server, whole run (MB)', m.peakMb, '< 150 MB', m.peakMb < 150),
    t('start', 'process start to first successful tools/list (ms)', results.startup.firstToolsListMs, '< 1000 ms', results.startup.firstToolsListMs < 1000),
  ];
}

const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const f3 = (n) => (Number.isFinite(n) ? n.toFixed(3) : '-');
const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const met = (p) => (p === null ? 'n/a' : p ? 'yes' : '**no**');

/** One markdown table: the six cases with their ratios and targets, then memory and start-up. */
export function renderTable(results) {
  const targets = Object.fromEntries(results.targets.map((t) => [t.id, t]));
  const r = results.ratios;
  const m = results.memory;
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const lines = [
    row(['case', 'conns', 'req/s', 'CPU µs/req', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'ratio / figure', 'target', 'met']),
    row(['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '---', '---', '---']),
  ];
  const figures = {
    a: ['', '', ''],
    b: [`b/a ${f2(r.b_a)}; p99 b/a ${f2(r.p99_b_a)}`, '>= 0.6; <= 3', `${met(targets.b_a.pass)}; ${met(targets.p99_b_a.pass)}`],
    c: [`c/a ${f2(r.c_a)}`, '>= 0.7', met(targets.c_a.pass)],
    d: [`d/e ${f2(r.d_e)}; median d-e ${r.d_minus_e_p50_ms >= 0 ? '+' : ''}${f3(r.d_minus_e_p50_ms)} ms`, '<= +1 ms', met(targets.d_minus_e_p50.pass)],
    e: ['', '', ''],
    f: [`f/b ${f2(r.f_b)}`, '>= 1', met(targets.f_b.pass)],
    g: [`hop g-e ${f3(r.g_minus_e_p50_ms)} ms; ours d-g ${f3(r.d_minus_g_p50_ms)} ms`, '(context)', ''],
  };
  for (const [id, label] of Object.entries(CASES)) {
    const c = results.cases[id];
    if (!c) continue; // results written before case g existed
    lines.push(row([label, c.connections, int(c.rps), int(c.cpuUsPerRequest), f3(c.latencyMs.p50), f3(c.latencyMs.p99), f3(c.latencyMs.p99_9), `${c.errors} (${f2(c.errorRate * 100)}%)`, ...figures[id]]));
  }
  const soak = m.soak;
  const soakLabel = soak.complete
    ? `server RSS after warm-up -> after ${int(soak.requests)} more requests`
    : `server RSS after warm-up -> after ${int(soak.requests)} requests (${soak.note})`;
  lines.push(row([soakLabel, '', '', '', '', '', '', '', `${f1(soak.beforeMb)} -> ${f1(soak.afterMb)} MB (${soak.growthMb >= 0 ? '+' : ''}${f1(soak.growthMb)})`, '<= +20 MB', met(targets.rss_growth.pass)]));
  lines.push(row(['server peak RSS (VmHWM), whole run', '', '', '', '', '', '', '', `${f1(m.peakMb)} MB`, '< 150 MB', met(targets.peak_rss.pass)]));
  lines.push(row(['process start -> first successful tools/list', '', '', '', '', '', '', '', `${int(results.startup.firstToolsListMs)} ms`, '< 1000 ms', met(targets.start.pass)]));
  return lines.join('\n');
}

/** One row per server configuration: the target figures side by side (telemetry and Redis on and off). */
export function renderVariants(results) {
  const variants = results.variants ?? {};
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const lines = [
    row(['configuration', 'b req/s', 'b/a (>= 0.6)', 'c/a (>= 0.7)', 'd p50 ms', 'd-e p50 ms (<= 1)', 'g-e / d-g ms', 'f/b (>= 1)', 'RSS growth MB (<= 20)', 'peak RSS MB (< 150)', 'start ms']),
    row(['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:']),
  ];
  for (const [name, v] of Object.entries(variants)) {
    const r = v.ratios;
    const m = v.memory;
    lines.push(row([name, int(v.cases.b.rps), f2(r.b_a), f2(r.c_a), f3(v.cases.d.latencyMs.p50), f3(r.d_minus_e_p50_ms), `${f3(r.g_minus_e_p50_ms)} / ${f3(r.d_minus_g_p50_ms)}`, f2(r.f_b), `${f1(m.soak.growthMb)}${m.soak.complete ? '' : ' (n/a)'}`, f1(m.peakMb), int(v.startup.firstToolsListMs)]));
  }
  return lines.join('\n');
}

/** The line under the table: where and how it was measured. */
export function renderContext(results) {
  const mc = results.machine;
  const s = results.settings;
  return (
    `${results.mode} run, ${mc.date}: ${mc.cpus} × ${mc.cpuModel}, Node ${mc.node}, ${mc.platform}. ` +
    `${s.secondsPerCase} s per case (${s.rounds} round${s.rounds > 1 ? 's' : ''}, interleaved) after a ${s.warmupSeconds} s warm-up; ` +
    `autocannon in the benchmark process, each server and the sandbox Casdoor in its own child process` +
    (mc.loadAverage ? `; load average (1, 5, 15 min) ${mc.loadAverage.start.map((n) => n.toFixed(2)).join(', ')} at the start, ${mc.loadAverage.end.map((n) => n.toFixed(2)).join(', ')} at the end.` : '.')
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? fileURLToPath(new URL('results.json', import.meta.url));
  const results = JSON.parse(readFileSync(file, 'utf8'));
  process.stdout.write(`${renderTable(results)}\n\n${renderContext(results)}\n`);
}
