// Starts the built server on the sandbox and lists its tools with the official MCP Inspector CLI,
// anonymously and with a client_credentials token. Exits non-zero unless both lists are right.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INSPECTOR = '@modelcontextprotocol/inspector@2.12.0';
const home = mkdtempSync(join(tmpdir(), 'inspector-')); // the CLI keeps state under ~/.mcp-inspector
const server = spawn(process.execPath, ['dist/src/cli.js', 'serve'], { env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
const stop = () => server.kill('SIGTERM');

try {
  const banner = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the server did not start within 20 s')), 20_000);
    server.stdout.on('data', (d) => {
      out += d;
      if (out.includes('TOKEN=$(')) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    server.on('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const url = /listening: (\S+)/.exec(banner)[1];
  const tokenEndpoint = /Sandbox token endpoint: (\S+)/.exec(banner)[1];
  const id = /Demo client id: +(\S+)/.exec(banner)[1];
  const secret = /Demo client secret: +(\S+)/.exec(banner)[1];
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read:application' }),
  });
  const { access_token: token } = await res.json();

  const inspect = async (...extra) => {
    const { stdout } = await run('npx', ['-y', INSPECTOR, '--cli', url, '--transport', 'http', '--method', 'tools/list', ...extra], {
      env: { ...process.env, HOME: home, npm_config_yes: 'true' },
      timeout: 300_000,
    });
    return JSON.parse(stdout).tools.map((t) => t.name);
  };
  const anonymous = await inspect();
  const scoped = await inspect('--header', `Authorization: Bearer ${token}`);
  console.log(`Inspector CLI, anonymous: ${anonymous.join(', ')}`);
  console.log(`Inspector CLI, read:application token: ${scoped.join(', ')}`);
  // Expected lists come from scopes.json: anonymous browsing sees every tool, the token only whoami
  // (which needs no scope) and what read:application grants.
  const scopes = JSON.parse(readFileSync(new URL('../scopes.json', import.meta.url), 'utf8')).scopes;
  const everyTool = ['whoami', ...Object.values(scopes).flatMap((s) => s.tools)];
  const readOnly = ['whoami', ...scopes['read:application'].tools];
  const sameSet = (a, b) => a.length === b.length && a.every((t) => b.includes(t));
  const ok = sameSet(anonymous, everyTool) && sameSet(scoped, readOnly);
  if (!ok) console.error(`expected anonymous: ${everyTool.join(', ')}\nexpected with the token: ${readOnly.join(', ')}`);
  stop();
  process.exit(ok ? 0 : 1);
} catch (err) {
  console.error(`inspector smoke test failed: ${err.message}`);
  stop();
  process.exit(1);
}
