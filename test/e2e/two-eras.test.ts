import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * One running server, two protocol eras: a 2026-07-28 client (the SDK's v2 Client, pinned to that
 * revision) and a 2025 client (the v1 SDK Client, as the Inspector and most clients today) list and
 * call tools, are refused by the same rules, and confirm a delete, each in its own era's way.
 */
type Answer = { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> };
interface EraClient {
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const ERAS = ['2026-07-28', '2025-11-25'] as const;
type Era = (typeof ERAS)[number];

describe('both protocol eras on one endpoint', () => {
  let h: Harness;
  let reader: string;
  let writer: string;
  let seq = 0;
  const open: EraClient[] = [];

  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
    reader = await h.token('read:application');
    writer = await h.token('read:application write:application');
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close().catch(() => undefined)));
    await h.close();
  });

  /** A client of `era`; with `answer`, it declares elicitation and answers every question so. */
  async function client(era: Era, token: string | undefined, answer?: () => Answer): Promise<EraClient> {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const capabilities = answer ? { elicitation: {} } : {};
    if (era === '2026-07-28') {
      const c = new ModernClient({ name: 'tests-2026', version: '0' }, { versionNegotiation: { mode: { pin: era } }, capabilities });
      if (answer) c.setRequestHandler('elicitation/create', async () => answer());
      await c.connect(new ModernTransport(new URL(h.url), { requestInit: { headers } }));
      expect(c.getNegotiatedProtocolVersion()).toBe(era);
      open.push(c as unknown as EraClient);
      return c as unknown as EraClient;
    }
    const c = new LegacyClient({ name: 'tests-2025', version: '0' }, { capabilities });
    if (answer) c.setRequestHandler(ElicitRequestSchema, async () => answer());
    await c.connect(new LegacyTransport(new URL(h.url), { requestInit: { headers } }));
    expect(c.getServerVersion()?.name).toBe('casdoor-mcp');
    open.push(c as unknown as EraClient);
    return c as unknown as EraClient;
  }

  function freshApp(): string {
    const name = `era-doomed-${++seq}`;
    const base = h.sandbox.data.applications.get('admin/acme-portal')!;
    h.sandbox.data.applications.put({ ...structuredClone(base), name, clientId: `cid-${name}` });
    return name;
  }
  const exists = (name: string): boolean => h.sandbox.data.applications.has(`admin/${name}`);

  it('both list the same tools for the same token, in the same order', async () => {
    const lists = await Promise.all(ERAS.map(async (era) => (await (await client(era, reader)).listTools()).tools.map((t) => t.name)));
    expect(lists[0]).toEqual(['whoami', 'get_applications', 'get_application']);
    expect(lists[1]).toEqual(lists[0]);
  });

  it('both call a tool and get the same answer', async () => {
    const [modern, legacy] = await Promise.all(ERAS.map(async (era) => (await client(era, reader)).callTool({ name: 'get_application', arguments: { id: 'admin/acme-portal' } })));
    expect(modern!.isError).toBeFalsy();
    expect(modern!.structuredContent).toEqual(legacy!.structuredContent);
    expect((modern!.structuredContent as { application: { name: string } }).application.name).toBe('acme-portal');
  });

  it('both are refused by the same rules: 401 without credentials, 403 insufficient_scope for a write with a read token', async () => {
    for (const era of ERAS) {
      const anonymous = await client(era, undefined);
      await expect(anonymous.callTool({ name: 'get_applications', arguments: {} }), era).rejects.toThrow(/401|unauthorized/i);
      const read = await client(era, reader);
      await expect(read.callTool({ name: 'delete_application', arguments: { id: 'admin/acme-portal' } }), era).rejects.toThrow(/403|insufficient.scope/i);
    }
    expect(exists('acme-portal')).toBe(true);
  });

  /** One raw tools/call as a client of `era` sends it. */
  function rawCall(era: Era, name: string, args: Record<string, unknown>, token?: string): Promise<Response> {
    const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    if (era === '2025-11-25') return h.post({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name, arguments: args } }, { 'MCP-Protocol-Version': era, ...auth });
    const _meta = { 'io.modelcontextprotocol/protocolVersion': era, 'io.modelcontextprotocol/clientCapabilities': {} };
    return h.post({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name, arguments: args, _meta } }, { 'MCP-Protocol-Version': era, 'Mcp-Method': 'tools/call', 'Mcp-Name': name, ...auth });
  }

  it('on the wire the refusals are identical in both eras: status, challenge and JSON-RPC error', async () => {
    const seen = [];
    for (const era of ERAS) {
      const anonymous = await rawCall(era, 'get_applications', {});
      const scoped = await rawCall(era, 'delete_application', { id: 'admin/acme-portal' }, reader);
      seen.push([anonymous.status, anonymous.headers.get('www-authenticate'), await anonymous.json(), scoped.status, scoped.headers.get('www-authenticate'), await scoped.json()]);
    }
    expect(seen[0]).toEqual(seen[1]);
    const [status401, challenge401, body401, status403, challenge403, body403] = seen[0]!;
    expect([status401, status403]).toEqual([401, 403]);
    expect(challenge401).toMatch(/^Bearer realm="casdoor-mcp", resource_metadata="[^"]+", scope="read:application"$/);
    expect(challenge403).toMatch(/^Bearer error="insufficient_scope", scope="write:application", resource_metadata="[^"]+"/);
    expect(body401).toMatchObject({ id: 9, error: { code: -32010 } });
    expect(body403).toMatchObject({ id: 9, error: { code: -32001, data: { required_scope: 'write:application' } } });
  });

  it('both confirm a delete by asking the user: yes deletes, no deletes nothing', async () => {
    for (const era of ERAS) {
      const asked: string[] = [];
      const yes = await client(era, writer, () => (asked.push(era), { action: 'accept', content: { confirm: true } }));
      const kept = freshApp();
      const no = await client(era, writer, () => ({ action: 'decline' }));
      const refused = await no.callTool({ name: 'delete_application', arguments: { id: `admin/${kept}` } });
      expect(refused.structuredContent, era).toMatchObject({ deleted: false });
      expect(exists(kept), era).toBe(true);
      const doomed = freshApp();
      const done = await yes.callTool({ name: 'delete_application', arguments: { id: `admin/${doomed}` } });
      expect(done.structuredContent, era).toMatchObject({ deleted: true, id: `admin/${doomed}` });
      expect(asked, era).toEqual([era]);
      expect(exists(doomed), era).toBe(false);
    }
  });

  it('a client that cannot be asked gets the preview in both eras, and confirm + name deletes', async () => {
    for (const era of ERAS) {
      const c = await client(era, writer);
      const name = freshApp();
      const preview = await c.callTool({ name: 'delete_application', arguments: { id: `admin/${name}` } });
      expect(preview.structuredContent, era).toMatchObject({ deleted: false, howToConfirm: `call again with confirm: true and name: "${name}"` });
      expect(exists(name)).toBe(true);
      const done = await c.callTool({ name: 'delete_application', arguments: { id: `admin/${name}`, confirm: true, name } });
      expect(done.structuredContent, era).toMatchObject({ deleted: true });
      expect(exists(name)).toBe(false);
    }
  });
});
