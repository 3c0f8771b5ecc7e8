// Starts the built server on the sandbox and lists its tools with the official MCP Inspector CLI,
// anonymously and with a client_credentials token, in the 2025 era (the CLI's default for a URL) and
// with the token in the 2026-07-28 era (--protocol-era modern). The anonymous list (every tool) goes
// through the CLI's --strict schema portability check. Exits non-zero unless every list is right and
// --strict finds nothing, warnings included.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { grant, requireBuild, startBuiltServer } from './lib/built-server.mjs';

requireBuild('inspector-smoke');

const run = promisify(execFile);
const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';
const home = mkdtempSync(join(tmpdir(), 'inspector-')); // the CLI keeps state under ~/.mcp-inspector
const server = startBuiltServer();
const stop = () => server.child.kill('SIGTERM');

try {
  const s = await server.ready;
  const url = s.url;
  const token = await grant(s, { grant_type: 'client_credentials', scope: 'read:application' });

  const inspect = async (...extra) => {
    const { stdout, stderr } = await run('npx', ['-y', INSPECTOR, '--cli', url, '--transport', 'http', '--method', 'tools/list', ...extra], {
      env: { ...process.env, HOME: home, npm_config_yes: 'true' },
      timeout: 300_000,
    });
    const out = JSON.parse(stdout);
    inspect.findings = stderr.split('\n').filter((l) => /^(Warning|Error): tool /.test(l));
    return (out.tools ?? out.result?.tools ?? []).map((t) => t.name);
  };
  const anonymous = await inspect('--strict');
  const findings = inspect.findings;
  console.log(`Inspector CLI --strict, every tool: ${findings.length} schema portability findings`);
  for (const f of findings) console.error(`  ${f}`);
  const scoped = await inspect('--header', `Authorization: Bearer ${token}`);
  console.log(`Inspector CLI, anonymous: ${anonymous.join(', ')}`);
  const modern = await inspect('--protocol-era', 'modern', '--header', `Authorization: Bearer ${token}`);
  console.log(`Inspector CLI, read:application token: ${scoped.join(', ')}`);
  console.log(`Inspector CLI, 2026-07-28 era, read:application token: ${modern.join(', ')}`);
  // Expected lists come from scopes.json: anonymous browsing sees every tool, the token only whoami
  // (which needs no scope) and what read:application grants.
  const scopes = JSON.parse(readFileSync(new URL('../scopes.json', import.meta.url), 'utf8')).scopes;
  const everyTool = ['whoami', ...Object.values(scopes).flatMap((s) => s.tools)];
  const readOnly = ['whoami', ...scopes['read:application'].tools];
  const sameSet = (a, b) => a.length === b.length && a.every((t) => b.includes(t));
  const ok = sameSet(anonymous, everyTool) && sameSet(scoped, readOnly) && sameSet(modern, readOnly) && findings.length === 0;
  if (!ok) console.error(`expected anonymous: ${everyTool.join(', ')}\nexpected with the token: ${readOnly.join(', ')}`);
  stop();
  process.exit(ok ? 0 : 1);
} catch (err) {
  console.error(`inspector smoke test failed: ${err.message}`);
  stop();
  process.exit(1);
}
