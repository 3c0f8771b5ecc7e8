// What a first run tells the user: start-up check, ports, .env, the sandbox's data folder and its
// safety rules, per-command help. Runs the built command (npm test builds dist/ first).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', LOG_LEVEL: 'warn', SANDBOX_DATA_DIR: 'off' };
// Each case starts real processes; the shared CI machine can be slow to start them.
vi.setConfig({ testTimeout: 90_000 });
const scratch = () => mkdtempSync(join(tmpdir(), 'first-run-'));

interface Started {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  url: string;
  origin: string;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  stop(): Promise<number | null>;
}

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill('SIGTERM')));

async function serve(env: Record<string, string>, args: string[] = [], cwd = scratch()): Promise<Started> {
  const child = spawn('node', [cli, 'serve', ...args], { env: { ...baseEnv, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  const waitFor = (text: string | RegExp, ms = 45_000) =>
    new Promise<void>((resolve, reject) => {
      const has = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
      if (has()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; stdout: ${out}; stderr: ${err}`)), ms);
      const onData = () => {
        if (!has()) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      };
      child.stdout!.on('data', onData);
      child.once('exit', () => reject(new Error(`exited; stdout: ${out}; stderr: ${err}`)));
    });
  await waitFor('listening: ');
  const url = /listening: (\S+)/.exec(out)![1]!;
  return {
    child, out: () => out, err: () => err, url, origin: new URL(url).origin, waitFor,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    }),
  };
}

function run(args: string[], env: Record<string, string> = {}, cwd = scratch()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [cli, ...args], { env: { ...baseEnv, ...env }, cwd, timeout: 60_000 }, (e, stdout, stderr) => {
      const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ccToken(tokenEndpoint: string, id: string, secret: string, scope: string): Promise<string> {
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function listTools(url: string, token: string): Promise<string[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  const body = (await res.json()) as { result?: { tools: { name: string }[] }; error?: unknown };
  if (!body.result) throw new Error(`tools/list: ${res.status} ${JSON.stringify(body)}`);
  return body.result.tools.map((t) => t.name);
}

describe('serve runs check at start and keeps serving', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(() => sb.stop());

  it('a wrong client secret: the problem and its fix are printed, the server serves, /readyz says not ready', async () => {
    const s = await serve({
      CASDOOR_ENDPOINT: sb.url, CASDOOR_CLIENT_ID: sb.demo.clientId, CASDOOR_CLIENT_SECRET: 'not-the-secret',
      CASDOOR_APPLICATION: sb.demo.application,
    });
    await s.waitFor(/Start-up check (found problems|passed)/);
    expect(s.out()).toContain('Start-up check found problems');
    expect(s.out()).toMatch(/✗ Casdoor refused the client credentials \(invalid_client/);
    expect(s.out()).toMatch(/fix: set CASDOOR_CLIENT_ID and CASDOOR_CLIENT_SECRET/);
    expect(s.out()).not.toContain('not-the-secret');
    const ready = await fetch(`${s.origin}/readyz`);
    expect(ready.status).toBe(503);
    // Reason codes only for anyone who asks; the problem itself is in the printed check above.
    const reasons = JSON.stringify(await ready.json());
    expect(reasons).toContain('start-up check: startup_check_failed');
    expect(reasons).not.toContain('refused the client credentials');
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
    await s.stop();
  });

  it('a good configuration: one line saying every check passed, and /readyz is ready', async () => {
    const s = await serve({
      CASDOOR_ENDPOINT: sb.url, CASDOOR_CLIENT_ID: sb.demo.clientId, CASDOOR_CLIENT_SECRET: sb.demo.clientSecret,
      CASDOOR_APPLICATION: sb.demo.application,
    });
    await s.waitFor(/Start-up check/);
    expect(s.out()).toMatch(/Start-up check: all \d+ checks passed/);
    const ready = await fetch(`${s.origin}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect(s.out()).not.toContain('SANDBOX');
    await s.stop();
  });
});

describe('ports, .env and help', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('a port in use is one line that says how to pick another, exit code 2', async () => {
    const r = await run(['serve'], { PORT: String(busyPort), SANDBOX_PORT: '0' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`port ${busyPort} on 127.0.0.1 is already in use`);
    expect(r.stderr).toMatch(/PORT=\d+ npm start/);
  });

  it("the sandbox's port in use says so too", async () => {
    const r = await run(['serve'], { PORT: '0', SANDBOX_PORT: String(busyPort) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`SANDBOX_PORT: the sandbox's port ${busyPort} on 127.0.0.1 is already in use`);
  });

  it('.env in the working directory is read; the environment and flags override it', async () => {
    const dir = scratch();
    writeFileSync(join(dir, '.env'), '# a comment\nMCP_READ_ONLY=true\nMCP_MAX_BODY_BYTES=huge\n');
    const bad = await run(['serve'], {}, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('MCP_MAX_BODY_BYTES');
    // The environment wins over .env.
    const s = await serve({ MCP_MAX_BODY_BYTES: '2048' }, [], dir);
    expect(s.out()).toContain(`read ${join(dir, '.env')}`);
    const token = await ccToken(/Sandbox token endpoint: (\S+)/.exec(s.out())![1]!, /Demo client id: +(\S+)/.exec(s.out())![1]!,
      /Demo client secret: +(\S+)/.exec(s.out())![1]!, 'read:application write:application');
    // MCP_READ_ONLY=true from .env: no write tool is listed.
    expect((await listTools(s.url, token)).sort()).toEqual(['get_application', 'get_applications', 'whoami']);
    await s.stop();
  });

  it('each command has its own help', async () => {
    const serveHelp = await run(['serve', '--help']);
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.stdout).toMatch(/^Usage: casdoor-mcp serve/);
    expect(serveHelp.stdout).toContain('--fresh');
    expect(serveHelp.stdout).not.toContain('--apply');
    const sync = await run(['scopes', 'sync', '--help']);
    expect(sync.stdout).toMatch(/^Usage: casdoor-mcp scopes sync/);
    expect(sync.stdout).toContain('--prune');
    expect(sync.stdout).not.toContain('MCP_RATE_LIMIT_READS_PER_MINUTE');
    const check = await run(['check', '-h']);
    expect(check.stdout).toMatch(/^Usage: casdoor-mcp check/);
    const stdio = await run(['stdio', '--help']);
    expect(stdio.stdout).toMatch(/^Usage: casdoor-mcp stdio/);
    expect(stdio.stdout).toContain('--full-access');
    const global = await run(['--help']);
    expect(global.stdout).toContain('casdoor-mcp <command> --help');
  });
});

describe('the sandbox: loaded only when used, loopback only, kept across restarts', () => {
  it('is not in the server module graph unless needed (a dynamic import)', () => {
    const main = readFileSync(fileURLToPath(new URL('../../dist/src/main.js', import.meta.url)), 'utf8');
    expect(main).not.toMatch(/^import [^;]*sandbox\/index\.js/m);
    expect(main).toMatch(/await import\('\.\/sandbox\/index\.js'\)/);
  });

  it('refuses a non-loopback HOST unless explicitly allowed', async () => {
    const r = await run(['serve'], { HOST: '127.0.0.2' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('HOST: 127.0.0.2 is not a loopback address');
    expect(r.stderr).toContain('SANDBOX_ALLOW_NON_LOOPBACK=true');
    const allowed = await serve({ HOST: '127.0.0.2', SANDBOX_ALLOW_NON_LOOPBACK: 'true' });
    expect(allowed.url).toMatch(/^http:\/\/127\.0\.0\.2:/);
    await allowed.stop();
  });

  it('says it is the sandbox in the banner and in /readyz', async () => {
    const s = await serve({});
    expect(s.out()).toContain('built-in SANDBOX');
    expect(s.out()).toMatch(/acme\/alice +alice-pass +administrator of acme/);
    expect(s.out()).toMatch(/acme\/bob +bob-pass +user of acme/);
    const ready = (await (await fetch(`${s.origin}/readyz`)).json()) as Record<string, unknown>;
    expect(String(ready.casdoor)).toContain('built-in sandbox');
    await s.stop();
  });

  it('keeps keys, clients and data in its data folder: a token from before a restart still works; --fresh starts over', async () => {
    const cwd = scratch();
    const first = await serve({ SANDBOX_DATA_DIR: 'state' }, [], cwd);
    const id = /Demo client id: +(\S+)/.exec(first.out())![1]!;
    const secret = /Demo client secret: +(\S+)/.exec(first.out())![1]!;
    const sandboxPort = new URL(/Sandbox token endpoint: (\S+)/.exec(first.out())![1]!).port;
    const token = await ccToken(/Sandbox token endpoint: (\S+)/.exec(first.out())![1]!, id, secret, 'read:user');
    expect(first.out()).toContain('Sandbox data: state (kept across restarts');
    expect(await first.stop()).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'state', 'sandbox.json'), 'utf8')).keys[0].privatePem).toContain('PRIVATE KEY');

    // Same sandbox port, so the issuer every token names is the same.
    const second = await serve({ SANDBOX_DATA_DIR: 'state', SANDBOX_PORT: sandboxPort }, [], cwd);
    expect(/Demo client id: +(\S+)/.exec(second.out())![1]).toBe(id);
    expect((await listTools(second.url, token)).sort()).toEqual(['get_user', 'get_users', 'whoami']);
    await second.stop();

    const fresh = await serve({ SANDBOX_DATA_DIR: 'state', SANDBOX_PORT: sandboxPort }, ['--fresh'], cwd);
    expect(/Demo client id: +(\S+)/.exec(fresh.out())![1]).not.toBe(id);
    await expect(listTools(fresh.url, token)).rejects.toThrow(/401/);
    await fresh.stop();
  });

  it('stdio without CASDOOR_ENDPOINT says loudly that its sandbox is private and temporary', async () => {
    const r = await new Promise<{ stderr: string }>((resolve) => {
      const child = execFile('node', [cli, 'stdio', '--full-access'], { env: baseEnv, cwd: scratch(), timeout: 20_000 }, (_e, _o, stderr) => resolve({ stderr }));
      // The sandbox notice comes first; closing stdin then ends the server.
      setTimeout(() => child.stdin!.end(), 3_000);
    });
    expect(r.stderr).toContain('PRIVATE, TEMPORARY sandbox');
    expect(r.stderr).toContain('do not verify here');
  });
});
