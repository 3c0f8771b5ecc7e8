import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import scopesJson from '../scopes.json' with { type: 'json' };
import { startSandbox, type Sandbox, type ScopeItem } from '../src/sandbox/index.js';

const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', LOG_LEVEL: 'warn', SANDBOX_DATA_DIR: 'off' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built command to completion (bounded), without a shell. */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', [cli, ...args], { env: { ...baseEnv, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function casdoorEnv(sb: Sandbox): Record<string, string> {
  return {
    CASDOOR_ENDPOINT: sb.url,
    CASDOOR_CLIENT_ID: sb.demo.clientId,
    CASDOOR_CLIENT_SECRET: sb.demo.clientSecret,
    CASDOOR_APPLICATION: sb.demo.application,
    CASDOOR_ORGANIZATION: sb.demo.organization,
  };
}

const OWNED = [...Object.keys(scopesJson.scopes), ...Object.keys(scopesJson.aliases)];
const problems = (out: string) => out.split('\n').filter((l) => /^\s+[✗!] /.test(l));

describe('the casdoor-mcp command (built by npm test before vitest runs)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGTERM')));

  it('fails at start with one line naming a bad variable, exit code 2', async () => {
    const r = await run(['serve'], { PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('PORT');
  });

  it('a flag overrides its variable, and an unknown MCP_TOOLS name is a configuration error', async () => {
    const flag = await run(['serve', '--port', 'eighty'], { PORT: '0' });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('PORT');
    const tools = await run(['serve', '--tools', 'get_applications,drop_database']);
    expect(tools.code).toBe(2);
    expect(tools.stderr).toMatch(/MCP_TOOLS: unknown tool drop_database/);
  });

  it('starts on the sandbox, and the command it prints returns the tool list', async () => {
    const child = spawn('node', [cli], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 30_000);
      child.stdout!.on('data', (d) => {
        out += String(d);
        if (out.includes('TOKEN=$(')) {
          clearTimeout(timer);
          setTimeout(resolve, 50);
        }
      });
    });
    expect(out).toMatch(/listening: http:\/\/127\.0\.0\.1:\d+\/mcp/);
    expect(out).toMatch(/Demo client secret: [0-9a-f]+/);
    const command = out.split('\n').find((l) => l.trim().startsWith('TOKEN=$('))!.trim();
    const r = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', command], { env: baseEnv, timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const names = JSON.parse(r).result.tools.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['get_applications', 'get_application', 'add_application', 'update_application', 'delete_application']));
    }, 60_000);

  it('--help lists every command and every variable with its flag', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: casdoor-mcp');
    for (const word of ['serve', 'stdio', 'check', 'scopes sync', '--full-access', '--apply', '--prune', '--[no-]read-only', 'MCP_RATE_LIMIT_WRITES_PER_MINUTE']) {
      expect(r.stdout).toContain(word);
    }
  });

  it('an unknown command or flag is a usage error, exit code 2', async () => {
    expect((await run(['frob'])).code).toBe(2);
    expect((await run(['check', '--apply'])).code).toBe(2);
  });
});

describe('casdoor-mcp check', () => {
  let sb: Sandbox;
  let seeded: ScopeItem[];
  beforeAll(async () => {
    sb = await startSandbox();
    seeded = structuredClone(demoApp(sb).scopes ?? []);
  });
  afterAll(() => sb.stop());
  beforeEach(() => {
    demoApp(sb).scopes = structuredClone(seeded);
  });

  it('prints all-green against the sandbox and exits 0', async () => {
    const r = await run(['check'], casdoorEnv(sb));
    expect(problems(r.stdout)).toEqual([]);
    expect(r.stdout).toContain('All checks passed.');
    expect(r.stdout).toMatch(/✓ client credentials accepted/);
    expect(r.stdout).toMatch(/✓ the token verifies/);
    expect(r.stdout).toMatch(/✓ the application defines every scope in scopes.json/);
    expect(r.code).toBe(0);
  });

  it('a wrong client secret: names the problem and its fix, exits 1', async () => {
    const r = await run(['check'], { ...casdoorEnv(sb), CASDOOR_CLIENT_SECRET: 'not-the-secret' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ Casdoor refused the client credentials \(invalid_client/);
    expect(r.stdout).toMatch(/fix: set CASDOOR_CLIENT_ID and CASDOOR_CLIENT_SECRET/);
    expect(r.stdout).not.toContain('not-the-secret');
    expect(r.stdout).not.toContain(sb.demo.clientSecret);
  });

  it('a wrong issuer: names the configured and the real issuer, exits 1', async () => {
    const r = await run(['check'], { ...casdoorEnv(sb), CASDOOR_ISSUER: 'https://wrong.example.com' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ CASDOOR_ISSUER is https://wrong.example.com, but Casdoor says its issuer is ${sb.issuer}`);
    expect(r.stdout).toContain(`✗ Casdoor signs tokens with iss ${sb.issuer}, but the server expects https://wrong.example.com`);
    expect(r.stdout).toContain(`fix: set CASDOOR_ISSUER=${sb.issuer}`);
  });

  it('a scope of scopes.json missing from the application: names it, points at scopes sync, exits 1', async () => {
    const app = demoApp(sb);
    app.scopes = app.scopes!.filter((s) => s.name !== 'write:application');
    const r = await run(['check'], casdoorEnv(sb));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ the application's scopes lack write:application: Casdoor refuses token requests for them/);
    expect(r.stdout).toContain('fix: run casdoor-mcp scopes sync');
  });

  it('an unreachable Casdoor, and an organization allow-list naming an unknown organization', async () => {
    const down = await run(['check'], { ...casdoorEnv(sb), CASDOOR_ENDPOINT: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/✗ Casdoor is unreachable at http:\/\/127\.0\.0\.1:9/);
    const orgs = await run(['check'], { ...casdoorEnv(sb), MCP_ALLOWED_ORGANIZATIONS: 'acme,acne' });
    expect(orgs.code).toBe(1);
    expect(problems(orgs.stdout)).toEqual([expect.stringContaining('MCP_ALLOWED_ORGANIZATIONS names acne, which does not exist')]);
  });

  it('a configuration error is reported with exit code 2', async () => {
    const r = await run(['check'], { ...casdoorEnv(sb), MCP_READ_ONLY: 'perhaps' });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('MCP_READ_ONLY');
  });
});

function demoApp(sb: Sandbox) {
  return sb.data.applications.get(`admin/${sb.demo.application}`)!;
}

describe('casdoor-mcp scopes sync', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
    // Out of sync as a real application would be: two scopes missing, one described differently,
    // one scope this server does not own, and an empty consent screen.
    const app = demoApp(sb);
    app.scopes = app.scopes!.filter((s) => s.name !== 'write:application' && s.name !== 'admin');
    app.scopes.find((s) => s.name === 'read:application')!.description = 'old text';
    app.scopes.push({ name: 'files:read', displayName: 'Files', description: 'not ours', tools: [] });
    app.customScopes = [];
  });
  afterAll(() => sb.stop());

  it('shows the diff and changes nothing without --apply', async () => {
    const before = structuredClone(demoApp(sb));
    const writes = () => sb.requests.filter((r) => r.path === '/api/update-application').length;
    const r = await run(['scopes', 'sync'], casdoorEnv(sb));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\+ write:application\s+missing: added/);
    expect(r.stdout).toMatch(/\+ admin\s+missing: added/);
    expect(r.stdout).toMatch(/~ read:application\s+differs from scopes.json:\n(.*\n)*?\s+description: "old text" →/);
    expect(r.stdout).toMatch(/· files:read\s+not in scopes.json: kept \(--prune removes it\)/);
    expect(r.stdout).toContain('Dry run: nothing was written');
    expect(demoApp(sb)).toEqual(before);
    expect(writes()).toBe(0);
  });

  it('with --apply writes only scopes and customScopes: every scope of scopes.json, described as there; others kept', async () => {
    const before = structuredClone(demoApp(sb));
    const r = await run(['scopes', 'sync', '--apply'], casdoorEnv(sb));
    expect(r.stdout).toContain('read it back: it matches scopes.json');
    expect(r.code).toBe(0);
    const app = demoApp(sb);
    const names = app.scopes!.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining([...OWNED, 'files:read']));
    for (const [name, def] of Object.entries(scopesJson.scopes)) {
      expect(app.scopes!.find((s) => s.name === name)).toMatchObject({ displayName: def.displayName, description: def.description });
    }
    expect((app.customScopes as { scope: string }[]).map((s) => s.scope).sort()).toEqual([...OWNED].sort());
    // Nothing else of the application changed.
    expect({ ...app, scopes: null, customScopes: null }).toEqual({ ...before, scopes: null, customScopes: null });
    const write = sb.requests.filter((q) => q.path === '/api/update-application').at(-1)!;
    expect(new URLSearchParams(write.query).get('columns')).toBe('scopes,customScopes');
  });

  it('with --apply --prune leaves exactly the scopes of scopes.json; a second run has nothing to do', async () => {
    const r = await run(['scopes', 'sync', '--apply', '--prune'], casdoorEnv(sb));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/- files:read\s+not in scopes.json: removed/);
    expect(demoApp(sb).scopes!.map((s) => s.name).sort()).toEqual([...OWNED].sort());
    const again = await run(['scopes', 'sync', '--prune'], casdoorEnv(sb));
    expect(again.stdout).toContain('Nothing to change');
    // And check now agrees.
    const check = await run(['check'], casdoorEnv(sb));
    expect(problems(check.stdout)).toEqual([]);
    expect(check.code).toBe(0);
  });

  it('refuses to run without a Casdoor, and fails on wrong credentials without writing', async () => {
    expect((await run(['scopes', 'sync'])).code).toBe(2);
    const before = sb.requests.filter((q) => q.path === '/api/update-application').length;
    const r = await run(['scopes', 'sync', '--apply'], { ...casdoorEnv(sb), CASDOOR_CLIENT_SECRET: 'wrong' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(CASDOOR_CLIENT_ID / CASDOOR_CLIENT_SECRET) are wrong');
    expect(sb.requests.filter((q) => q.path === '/api/update-application').length).toBe(before);
  });
});
