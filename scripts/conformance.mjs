// Runs the official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
// devDependencies, so npm ci installs it and nothing is downloaded here) against the built server on
// the sandbox, four times: under --requirements 2026-07-28 and 2025-11-25, each anonymously and
// through scripts/bearer-proxy.mjs with a valid read:application token. Every run uses
// scripts/conformance-baseline.yml; on top of the suite's own verdict this script checks that the
// scenarios a product server must pass did pass (from their checks.json, allowing only the checks
// the baseline names), that the proxied runs really were authenticated, and that the server survived.
//
//   npm run build && npm run conformance
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBearerProxy } from './bearer-proxy.mjs';
import { grant, requireBuild, ROOT, startBuiltServer } from './lib/built-server.mjs';

const BASELINE = join(ROOT, 'scripts', 'conformance-baseline.yml');
const CLI = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
// The CLI is built for Node 22; on older Node it runs with fs.globSync supplied (scripts/lib/conformance-node20.mjs).
const NODE_ARGS = Number(process.versions.node.split('.')[0]) >= 22 ? [] : ['--import', join(ROOT, 'scripts', 'lib', 'conformance-node20.mjs')];
const MUST_PASS = {
  '2025-11-25': ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'],
  '2026-07-28': [
    'server-stateless',
    'tools-list',
    'caching',
    'http-header-validation',
    'dns-rebinding-protection',
    'input-required-result-unsupported-methods',
    'input-required-result-validate-input',
  ],
};
// Anonymous runs only: the probe calls the first listed tool, and every tools/call needs credentials.
const ANONYMOUS_EXTRA = ['http-header-validation:sep-2243-server-accepts-whitespace-header-value'];
// Expected in one era only (none today: completion/complete is served in both eras).
const ERA_EXTRA = { '2025-11-25': [], '2026-07-28': [] };
const SUITE_TIMEOUT_MS = 600_000;

requireBuild('conformance');

/** `scenario:check` entries of a baseline file (whole-scenario entries have no check). */
function baselineEntries(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => /^\s*-\s*([\w.-]+(?::[\w.-]+)?)/.exec(l)?.[1])
    .filter(Boolean);
}

/** One suite run; resolves with the exit code, the printed output and the results directory. */
function runSuite(url, requirements, baseline) {
  const outDir = mkdtempSync(join(tmpdir(), 'conformance-'));
  const args = [...NODE_ARGS, CLI, 'server', '--url', url, '--requirements', requirements, '--expected-failures', baseline, '-o', outDir];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: outDir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\nconformance: the suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s; killed\n`;
      child.kill('SIGKILL');
    }, SUITE_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), output, outDir });
    });
  });
}

/** The checks.json of one scenario (directories are named server-<scenario>-<timestamp>). */
function checksOf(outDir, scenario) {
  const dir = readdirSync(outDir).find((d) => new RegExp(`^server-${scenario}-\\d{4}-`).test(d));
  return dir ? JSON.parse(readFileSync(join(outDir, dir, 'checks.json'), 'utf8')) : undefined;
}

/** Tools each scope grants, from the single source; tools that need no scope may come and go. */
const SCOPES = JSON.parse(readFileSync(join(ROOT, 'scopes.json'), 'utf8')).scopes;
const toolsOf = (scope) => SCOPES[scope].tools;
const ALL_SCOPED = Object.values(SCOPES).flatMap((s) => s.tools);

function judge(label, run, mustPass, allowed, mustShow, mustHide) {
  const problems = [];
  if (run.code !== 0) problems.push(`the suite exited with ${run.code}`);
  for (const scenario of mustPass) {
    const checks = checksOf(run.outDir, scenario);
    if (!checks) {
      problems.push(`${scenario}: no results`);
      continue;
    }
    const bad = checks.filter((c) => (c.status === 'FAILURE' || c.status === 'WARNING') && !allowed.has(`${scenario}:${c.id}`));
    if (!checks.some((c) => c.status === 'SUCCESS') || bad.length > 0) {
      problems.push(`${scenario}: ${bad.map((c) => `${c.status} ${c.id}: ${c.errorMessage ?? c.description}`).join('; ') || 'no check succeeded'}`);
    }
  }
  // Anonymous callers see every tool; the proxy's read:application token sees the read tools only,
  // which proves the token reached the server and was honoured.
  const tools = checksOf(run.outDir, 'tools-list')?.find((c) => c.id === 'tools-list')?.details?.tools ?? [];
  const wrong = [...mustShow.filter((t) => !tools.includes(t)), ...mustHide.filter((t) => tools.includes(t))];
  if (wrong.length > 0) problems.push(`tools-list showed ${JSON.stringify(tools)}: wrong about ${wrong.join(', ')}`);
  const summary = run.output.slice(run.output.indexOf('=== SUMMARY ===')).replace(/\x1b\[[0-9;]*m/g, '');
  console.log(`\n##### conformance, ${label}\n${summary.trim()}`);
  if (problems.length > 0) {
    console.log(`\n${label}: FAILED (results in ${run.outDir})\n  - ${problems.join('\n  - ')}`);
    if (!run.output.includes('=== SUMMARY ===')) console.log(run.output.slice(-4000));
  } else {
    console.log(`\n${label}: ${mustPass.join(', ')} passed`);
  }
  return problems.length === 0;
}

const server = startBuiltServer();
let proxy;
let ok = true;
const runs = [];
const scratch = mkdtempSync(join(tmpdir(), 'conformance-baseline-'));
try {
  const s = await server.ready;
  const token = await grant(s, { grant_type: 'client_credentials', scope: 'read:application' });
  proxy = await startBearerProxy({ upstream: new URL(s.url).origin, token });
  // One baseline file per era and caller kind: the shared one plus the era's and the anonymous extras.
  const baselines = {};
  for (const era of Object.keys(MUST_PASS)) {
    for (const anonymous of [true, false]) {
      const extra = [...ERA_EXTRA[era], ...(anonymous ? ANONYMOUS_EXTRA : [])];
      const file = join(scratch, `${era}-${anonymous ? 'anonymous' : 'token'}.yml`);
      writeFileSync(file, `${readFileSync(BASELINE, 'utf8')}\n${extra.map((e) => `  - ${e}`).join('\n')}\n`);
      baselines[`${era} ${anonymous}`] = file;
    }
  }
  const reads = toolsOf('read:application');
  for (const requirements of Object.keys(MUST_PASS)) {
    for (const anonymous of [true, false]) {
      const baseline = baselines[`${requirements} ${anonymous}`];
      const url = anonymous ? s.url : `${proxy.url}${new URL(s.url).pathname}`;
      const label = `${requirements}, ${anonymous ? 'anonymous' : `with a read:application bearer token (through ${proxy.url})`}`;
      const run = await runSuite(url, requirements, baseline);
      runs.push(run);
      const allowed = new Set(baselineEntries(baseline).filter((e) => e.includes(':')));
      ok = judge(label, run, MUST_PASS[requirements], allowed, anonymous ? ALL_SCOPED : reads, anonymous ? [] : ALL_SCOPED.filter((t) => !reads.includes(t))) && ok;
    }
  }
  // Results are kept only when something failed (or CONFORMANCE_KEEP is set), for reading.
  if (ok && !process.env.CONFORMANCE_KEEP) for (const run of runs) rmSync(run.outDir, { recursive: true, force: true });
  if (server.child.exitCode !== null) {
    ok = false;
    console.log(`the server exited with ${server.child.exitCode} during the runs`);
  }
  const crashes = server.stderr().split('\n').filter((l) => /"level":(50|60)/.test(l));
  if (crashes.length > 0) {
    ok = false;
    console.log(`the server logged errors:\n${crashes.slice(0, 5).join('\n')}`);
  }
} catch (err) {
  ok = false;
  console.error(`conformance: ${err.message}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
  await proxy?.close();
  server.child.kill('SIGTERM');
}
console.log(ok ? '\nconformance: OK' : '\nconformance: FAILED');
process.exit(ok ? 0 : 1);
