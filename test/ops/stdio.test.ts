import { execFile } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

// Runs the built command (the global setup rebuilds a stale dist/) against a sandbox in this process.
const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
type Json = Record<string, any>;
const structured = (r: unknown) => (r as { structuredContent: Json }).structuredContent;
const text = (r: unknown) => (r as { content: { text: string }[] }).content[0]!.text;

describe('casdoor-mcp stdio', () => {
  let sb: Sandbox;
  const clients: Client[] = [];
  const stderrOf = new Map<Client, () => string>();

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    LOG_LEVEL: 'info',
    CASDOOR_ENDPOINT: sb.url,
    CASDOOR_CLIENT_ID: sb.demo.clientId,
    CASDOOR_CLIENT_SECRET: sb.demo.clientSecret,
    CASDOOR_APPLICATION: sb.demo.application,
    CASDOOR_ORGANIZATION: sb.demo.organization,
    ...extra,
  });

  async function connect(extraEnv: Record<string, string>, args: string[] = []): Promise<Client> {
    const transport = new StdioClientTransport({ command: 'node', args: [cli, 'stdio', ...args], env: env(extraEnv), stderr: 'pipe' });
    let err = '';
    (transport.stderr as Readable | null)?.on('data', (d) => (err += String(d)));
    const client = new Client({ name: 'stdio-tests', version: '0' });
    await client.connect(transport);
    clients.push(client);
    stderrOf.set(client, () => err);
    return client;
  }

  function run(args: string[], extraEnv: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile('node', [cli, ...args], { env: env(extraEnv), timeout: 20_000 }, (e, stdout, stderr) => {
        resolve({ code: e ? Number((e as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await sb.stop();
  });

  it('refuses to start without a token unless --full-access is given, and says why', async () => {
    const r = await run(['stdio'], {});
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('CASDOOR_MCP_TOKEN');
    expect(r.stderr).toContain('--full-access');
    const both = await run(['stdio', '--full-access'], { CASDOOR_MCP_TOKEN: await sb.issueToken({ scope: 'read:application' }) });
    expect(both.code).toBe(2);
  });

  it('refuses to start with a token that does not verify (expired, wrong audience)', async () => {
    for (const token of [await sb.issueToken({ scope: 'admin', expiresInSeconds: -3600 }), await sb.issueToken({ scope: 'admin', audience: ['https://other.example'] })]) {
      const r = await run(['stdio'], { CASDOOR_MCP_TOKEN: token });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the token in CASDOOR_MCP_TOKEN was not accepted: (token expired|audience not accepted)/);
      expect(r.stderr).not.toContain(token);
    }
  });

  it('with a read token: lists the read tools only, reads, and refuses a write with insufficient_scope', async () => {
    const token = await sb.issueToken({ scope: 'read:application' });
    const client = await connect({ CASDOOR_MCP_TOKEN: token });
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['get_applications', 'get_application']));
    for (const w of ['add_application', 'update_application', 'delete_application']) expect(names).not.toContain(w);

    const page = structured(await client.callTool({ name: 'get_applications', arguments: { pageSize: 100 } }));
    expect(page.total).toBe(sb.data.applications.count());
    const one = structured(await client.callTool({ name: 'get_application', arguments: { id: 'admin/acme-portal' } }));
    expect(one.application.clientId).toBe(sb.data.applications.get('admin/acme-portal')!.clientId);

    const before = sb.requests.length;
    const refusal = await client.callTool({ name: 'add_application', arguments: { application: { name: 'stdio-x', organization: 'acme' } } }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ code: -32001 });
    expect(String((refusal as Error).message)).toContain('insufficient_scope');
    expect((refusal as { data?: Json }).data).toMatchObject({ tool: 'add_application', required_scope: 'write:application', granted_scopes: ['read:application'] });
    expect(sb.requests.length).toBe(before); // refused before Casdoor
    expect(sb.data.applications.has('admin/stdio-x')).toBe(false);

    // Logs went to stderr as JSON lines, with one audit line per call and per refusal, and never the token.
    const auditLines = () => stderrOf.get(client)!().split('\n').slice(0, -1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Json).filter((l) => l.audit);
    // stderr arrives on its own pipe, a moment after the replies: wait for it (bounded).
    for (let i = 0; i < 50 && auditLines().length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    const err = stderrOf.get(client)!();
    const audit = auditLines();
    expect(audit.map((l) => [l.transport, l.tool, l.outcome])).toEqual([
      ['stdio', 'get_applications', 'ok'],
      ['stdio', 'get_application', 'ok'],
      ['stdio', 'add_application', 'insufficient_scope'],
    ]);
    expect(err).not.toContain(token);
  });

  it('with a write token: the application tools work as over HTTP', async () => {
    const client = await connect({ CASDOOR_MCP_TOKEN: await sb.issueToken({ scope: 'read:application write:application' }) });
    const created = structured(await client.callTool({ name: 'add_application', arguments: { application: { name: 'stdio-new', organization: 'acme' } } }));
    expect(created.application.clientId).toBe(sb.data.applications.get('admin/stdio-new')!.clientId);
    const updated = structured(await client.callTool({ name: 'update_application', arguments: { id: 'admin/stdio-new', application: { displayName: 'From stdio' } } }));
    expect(updated.changes).toEqual([{ field: 'displayName', old: 'stdio-new', new: 'From stdio' }]);
    expect(sb.data.applications.get('admin/stdio-new')!.displayName).toBe('From stdio');
    const missing = await client.callTool({ name: 'get_application', arguments: { id: 'admin/nope' } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('not found');
    await expect(client.callTool({ name: 'get_application', arguments: { id: 'admin/acme-api', evil: 1 } })).rejects.toThrow(/-32602.*"evil"/);
    const deleted = structured(await client.callTool({ name: 'delete_application', arguments: { id: 'admin/stdio-new', confirm: true, name: 'stdio-new' } }));
    expect(deleted).toMatchObject({ deleted: true, id: 'admin/stdio-new' });
    expect(sb.data.applications.has('admin/stdio-new')).toBe(false);
  });

  it('the organization rules hold over stdio: an organization admin cannot reach another organization', async () => {
    const alice = await sb.issueToken({ kind: 'user', user: 'acme/alice', scope: 'read:application' });
    const client = await connect({ CASDOOR_MCP_TOKEN: alice });
    await expect(client.callTool({ name: 'get_applications', arguments: { organization: 'globex' } })).rejects.toMatchObject({ code: -32013 });
    const own = structured(await client.callTool({ name: 'get_applications', arguments: {} }));
    expect(own.applications.every((a: Json) => a.organization === 'acme')).toBe(true);
  });

  it('--full-access: says so on stderr, lists every tool, and the operator narrowing still applies', async () => {
    const client = await connect({ MCP_READ_ONLY: 'true' }, ['--full-access']);
    expect(stderrOf.get(client)!()).toContain('FULL ACCESS');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['get_applications', 'get_application']));
    expect(names).not.toContain('delete_application');
    await expect(client.callTool({ name: 'delete_application', arguments: { id: 'admin/acme-api', confirm: true, name: 'acme-api' } })).rejects.toMatchObject({
      code: -32013,
      data: { rule: 'disabled_by_operator' },
    });
    expect(sb.data.applications.has('admin/acme-api')).toBe(true);
    const full = await connect({}, ['--full-access']);
    expect((await full.listTools()).tools.map((t) => t.name)).toContain('delete_application');
  });
});
