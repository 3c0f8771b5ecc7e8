// Every command and config snippet of README.md, run (or, for what only CI can run, checked to be the
// same command CI runs). A code block no case below claims fails the suite, so the README cannot grow
// a snippet nobody runs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import scopesJson from '../../scopes.json' with { type: 'json' };
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

vi.setConfig({ testTimeout: 90_000 });
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Block { lang: string; code: string }
const blocks: Block[] = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
const claimed = new Set<Block>();
function block(test: (code: string) => boolean): Block {
  const found = blocks.filter((b) => test(b.code));
  if (found.length !== 1) throw new Error(`expected one README block, found ${found.length}`);
  claimed.add(found[0]!);
  return found[0]!;
}

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn' };

function bash(script: string, extra: Record<string, string> = {}, timeout = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-euo', 'pipefail', '-c', script], { env: { ...env, ...extra }, cwd: root, timeout }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

/** The README's example addresses (3000 the server, 3001 its sandbox) pointed at the ports of this run. */
const retarget = (code: string, mcp: string, sandbox: string) =>
  code.replaceAll('http://127.0.0.1:3000', mcp).replaceAll('http://127.0.0.1:3001', sandbox);

describe('README.md', () => {
  let child: ChildProcess;
  let banner = '';
  let origin = '';
  let sandbox = '';
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // The quick start's `npm start`, on free ports and a scratch data folder.
    const start = block((c) => c.includes('npm ci && npm start'));
    expect(start.code.trim()).toMatch(/^npm ci && npm start\s+#/);
    child = spawn('npm', ['start'], {
      cwd: root, env: { ...env, PORT: '0', SANDBOX_PORT: '0', SANDBOX_DATA_DIR: mkdtempSync(join(tmpdir(), 'readme-')) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${banner}`)), 60_000);
      child.stdout!.on('data', (d) => {
        banner += String(d);
        if (/Start-up check/.test(banner)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    origin = new URL(/listening: (\S+)/.exec(banner)![1]!).origin;
    sandbox = new URL(/Sandbox token endpoint: (\S+)/.exec(banner)![1]!).origin;
  }, 90_000);
  afterAll(() => {
    // npm start runs node as a child: end the whole process group.
    for (const c of children) if (c.pid && c.exitCode === null) process.kill(-c.pid, 'SIGTERM');
  });

  it('npm ci && npm test is what CI runs', () => {
    block((c) => c.includes('npm ci && npm test'));
    const ci = readFileSync(join(root, '.ci/run'), 'utf8').split('\n').map((l) => l.trim());
    expect(ci).toContain('npm ci');
    expect(ci).toContain('npm test');
  });

  it('npm start prints the MCP URL, the sign-in page, the demo users with passwords, and a working token command', async () => {
    expect(banner).toContain('Start-up check: all');
    for (const user of ['built-in/admin', 'acme/alice', 'acme/bob', 'globex/carol']) expect(banner).toContain(user);
    // The README's table of demo users agrees with the banner.
    for (const [, user, password] of readme.matchAll(/^\| `([\w-]+\/\w+)` \| `([^`]+)` \|/gm)) {
      expect(banner).toMatch(new RegExp(`${user!.replace('/', '\\/')} +${password}`));
    }
    const line = banner.split('\n').find((l) => l.trim().startsWith('TOKEN=$('))!.trim();
    const r = await bash(line);
    expect(r.code).toBe(0);
    const tools = (JSON.parse(r.stdout) as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
    // Every scope: every tool scopes.json names, and whoami.
    expect(tools.sort()).toEqual(['whoami', ...Object.values(scopesJson.scopes).flatMap((d) => d.tools)].sort());
  });

  it('the readiness check and one read, one write and one delete, with the token from the banner', async () => {
    const line = banner.split('\n').find((l) => l.trim().startsWith('TOKEN=$('))!.trim().replace(/ && curl .*$/, '');
    const ready = block((c) => c.includes('/readyz'));
    const calls = block((c) => c.includes('mcp() {'));
    const r = await bash([line, retarget(ready.code, origin, sandbox), retarget(calls.code, `${origin}`, sandbox)].join('\n'));
    expect(r.code, r.stderr).toBe(0);
    const [readiness, ...results] = r.stdout.trim().split('\n');
    expect(JSON.parse(readiness!)).toMatchObject({ status: 'ready' });
    expect(results).toHaveLength(3);
    const parsed = results.map((l) => (JSON.parse(l) as { result: { isError?: boolean; structuredContent: Record<string, unknown> } }).result);
    for (const p of parsed) expect(p.isError ?? false).toBe(false);
    expect(JSON.stringify(parsed[0]!.structuredContent)).toContain('acme-portal');
    expect(parsed[1]!.structuredContent).toMatchObject({ user: { owner: 'acme', name: 'dave' } });
    expect(parsed[2]!.structuredContent).toMatchObject({ deleted: true });
  });

  it('the Inspector CLI command is the one CI runs (scripts/inspector-smoke.mjs)', () => {
    const b = block((c) => c.includes('@modelcontextprotocol/inspector@'));
    const words = b.code.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
    const smoke = readFileSync(join(root, 'scripts/inspector-smoke.mjs'), 'utf8');
    const pinned = /const INSPECTOR = '([^']+)'/.exec(smoke)![1]!;
    expect(words.slice(0, 3)).toEqual(['npx', '-y', pinned]);
    expect(words).toEqual(expect.arrayContaining(['--cli', '--transport', 'http', '--method', 'tools/list', '--header']));
    expect(smoke).toContain("'--cli', url, '--transport', 'http', '--method', 'tools/list'");
    expect(smoke).toContain("'--header', `Authorization: Bearer ${token}`");
  });

  it('the Claude Desktop config runs mcp-remote at the version the mcp-remote test runs', () => {
    const b = block((c) => c.includes('"mcpServers"') && c.includes('mcp-remote'));
    const config = JSON.parse(b.code) as { mcpServers: { casdoor: { command: string; args: string[]; env: Record<string, string> } } };
    const { command, args, env: vars } = config.mcpServers.casdoor;
    expect(command).toBe('npx');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(args[1]).toBe(`mcp-remote@${pkg.devDependencies['mcp-remote']}`);
    expect(args.slice(2)).toEqual(['http://127.0.0.1:3000/mcp', '--header', 'Authorization:${AUTH_HEADER}']);
    expect(vars.AUTH_HEADER).toMatch(/^Bearer /);
  });

  it('never runs a package name that is not ours: no npx casdoor-mcp, every npx package pinned', () => {
    // Snippets: code blocks and the client table (the prose warning against it may name it).
    const snippets = [...blocks.map((b) => b.code), ...readme.split('\n').filter((l) => l.startsWith('|'))].join('\n');
    expect(snippets).not.toMatch(/npx (-y )?casdoor-mcp/);
    for (const m of snippets.matchAll(/npx -y "?(\S+?)"?[\s,]/g)) expect(m[1]).toMatch(/^(@[\w-]+\/)?[\w-]+@\d+\.\d+\.\d+$/);
    expect([...snippets.matchAll(/npx -y "?(\S+?)"?[\s,]/g)].length).toBeGreaterThanOrEqual(2);
  });

  describe('against a real Casdoor (the sandbox standing in for one)', () => {
    let real: Sandbox;
    let casdoorEnv: Record<string, string>;
    beforeAll(async () => {
      real = await startSandbox();
      casdoorEnv = {};
    });
    afterAll(() => real.stop());
    const fill = (code: string) => code
      .replaceAll('https://door.example.com', real.url)
      .replaceAll('<client id>', real.demo.clientId)
      .replaceAll('<client secret>', real.demo.clientSecret);

    it('check passes on a configured Casdoor', async () => {
      const b = block((c) => c.includes('node dist/src/cli.js check'));
      const r = await bash(fill(b.code), casdoorEnv);
      expect(r.stdout).toContain('All checks passed');
      expect(r.code).toBe(0);
    });

    it('the token command gets a token with every scope', async () => {
      const setup = fill(block((c) => c.includes('node dist/src/cli.js check')).code).split('\n').filter((l) => l.startsWith('export')).join('\n');
      const b = block((c) => c.includes('grant_type=client_credentials') && c.includes('$CASDOOR_ENDPOINT'));
      const r = await bash(`${setup}\n${b.code}\nnode -pe 'JSON.parse(Buffer.from(process.argv[1].split(".")[1], "base64url")).scope' "$TOKEN"`);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(Object.keys(scopesJson.scopes).join(' '));
    });
  });

  it('the command installs from the clone, or runs by its absolute path', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'prefix-'));
    const install = block((c) => c.includes('npm install -g .'));
    // `npm ci` is what the suite itself runs on; the rest as written, into a scratch global prefix.
    // Its prepare script (tsc) is skipped: dist/ is built already, and rebuilding it here would race the
    // other files' tests that run it.
    const r = await bash(install.code.replace(/^npm ci && /, ''), { npm_config_prefix: prefix, PATH: `${prefix}/bin:${env.PATH}`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_ignore_scripts: 'true' }, 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: casdoor-mcp');
    const byPath = block((c) => c.includes('/path/to/casdoor-mcp/dist/src/cli.js'));
    const p = await bash(byPath.code.replace('/path/to/casdoor-mcp', root.replace(/\/$/, '')));
    expect(p.stdout).toContain('Usage: casdoor-mcp');
  }, 150_000);

  it('has no code block that no case above runs or checks', () => {
    const unclaimed = blocks.filter((b) => !claimed.has(b)).map((b) => b.code.split('\n')[0]);
    expect(unclaimed).toEqual([]);
  });
});
