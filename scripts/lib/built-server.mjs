// Starts the built `casdoor-mcp serve` as an operator would (a child process on the built-in sandbox),
// for the scripts that test it from outside: the Inspector smoke test, conformance and the soak.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');

/** Exits with code 2 unless `npm run build` (or `npm test`) has produced dist/. */
export function requireBuild(script) {
  if (!existsSync(CLI)) {
    console.error(`${script}: dist/src/cli.js is missing; run npm run build first`);
    process.exit(2);
  }
}

/**
 * Spawns the server on an ephemeral loopback port. `ready` resolves with what its banner says: the
 * MCP URL, the sandbox's token endpoint and origin, and the demo client id and secret.
 */
export function startBuiltServer({ env = {}, nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', CASDOOR_ENDPOINT: '', SANDBOX_DATA_DIR: 'off', SANDBOX_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const ready = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the server did not start within 20 s')), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (!out.includes('TOKEN=$(')) return;
      clearTimeout(timer);
      const tokenEndpoint = /Sandbox token endpoint: (\S+)/.exec(out)[1];
      resolve({
        url: /listening: (\S+)/.exec(out)[1],
        tokenEndpoint,
        casdoor: new URL(tokenEndpoint).origin,
        clientId: /Demo client id: +(\S+)/.exec(out)[1],
        clientSecret: /Demo client secret: +(\S+)/.exec(out)[1],
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before it was ready`));
    });
  });
  return { child, ready, stderr: () => stderr };
}

/** A token from the sandbox's token endpoint for the demo client; `form` is the grant (e.g. client_credentials + scope). */
export async function grant(server, form) {
  const basic = Buffer.from(`${server.clientId}:${server.clientSecret}`).toString('base64');
  const res = await fetch(server.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${basic}` },
    body: new URLSearchParams(form),
  });
  const json = await res.json();
  if (!json.access_token) throw new Error(`token request failed: ${JSON.stringify(json)}`);
  return json.access_token;
}
