// Runs the official MCP conformance suite (0.1.16) against the built server on the sandbox, twice:
// anonymously, and through scripts/bearer-proxy.mjs with a valid read:application token, so the
// authenticated path is tested too. Both runs use scripts/conformance-baseline.yml; on top of the
// suite's own verdict this script checks that the four scenarios a product server must pass did pass,
// that the proxied run really was authenticated, and that the server survived. Exits non-zero otherwise.
//
//   npm run build && npm run conformance
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBearerProxy } from './bearer-proxy.mjs';
import { grant, requireBuild, ROOT, startBuiltServer } from './lib/built-server.mjs';

const BASELINE = join(ROOT, 'scripts', 'conformance-baseline.yml');
const SUITE = ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/conformance@0.1.16', '--', 'conformance'];
const MUST_PASS = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];
const SUITE_TIMEOUT_MS = 600_000; // the first run downloads Node 22 and the suite

requireBuild('conformance');

/** One suite run; resolves with the exit code, the printed output and the results directory. */
function runSuite(url) {
  const outDir = mkdtempSync(join(tmpdir(), 'conformance-'));
  const args = [...SUITE, 'server', '--url', url, '--expected-failures', BASELINE, '-o', outDir];
  return new Promise((resolve) => {
    const child = spawn('npx', args, {
      cwd: outDir,
      env: { ...process.env, npm_config_yes: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

function judge(label, run, mustShow, mustHide) {
  const problems = [];
  if (run.code !== 0) problems.push(`the suite exited with ${run.code}`);
  for (const scenario of MUST_PASS) {
    const checks = checksOf(run.outDir, scenario);
    if (!checks) problems.push(`${scenario}: no results`);
    else if (!checks.some((c) => c.status === 'SUCCESS') || checks.some((c) => c.status === 'FAILURE' || c.status === 'WARNING')) {
      problems.push(`${scenario}: ${checks.map((c) => `${c.status} ${c.errorMessage ?? c.description}`).join('; ')}`);
    }
  }
  // Anonymous callers see every tool; the proxy's read:application token sees the two read tools,
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
    console.log(`\n${label}: ${MUST_PASS.join(', ')} passed`);
  }
  return problems.length === 0;
}

const server = startBuiltServer();
let proxy;
let ok = false;
try {
  const s = await server.ready;
  const token = await grant(s, { grant_type: 'client_credentials', scope: 'read:application' });
  proxy = await startBearerProxy({ upstream: new URL(s.url).origin, token });
  const anonymous = await runSuite(s.url);
  const authenticated = await runSuite(`${proxy.url}${new URL(s.url).pathname}`);
  ok = judge('anonymous', anonymous, ALL_SCOPED, []);
  const reads = toolsOf('read:application');
  ok = judge(`with a read:application bearer token (through ${proxy.url})`, authenticated, reads, ALL_SCOPED.filter((t) => !reads.includes(t))) && ok;
  // Results are kept only when something failed (or CONFORMANCE_KEEP is set), for reading.
  if (ok && !process.env.CONFORMANCE_KEEP) for (const run of [anonymous, authenticated]) rmSync(run.outDir, { recursive: true, force: true });
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
  console.error(`conformance: ${err.message}`);
} finally {
  await proxy?.close();
  server.child.kill('SIGTERM');
}
console.log(ok ? '\nconformance: OK' : '\nconformance: FAILED');
process.exit(ok ? 0 : 1);
