import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import scopesJson from '../../scopes.json' with { type: 'json' };
import { startHarness, type Harness } from '../support/harness.js';

/**
 * Prompts and the scope catalog through real clients of both eras (the v2 SDK Client pinned to
 * 2026-07-28, the v1 SDK Client for 2025) against one server: the lists, prompts/get, resources/read.
 */
interface EraClient {
  listPrompts(): Promise<{ prompts: { name: string; arguments?: { name: string; required?: boolean }[] }[] }>;
  getPrompt(p: { name: string; arguments?: Record<string, string> }): Promise<{ messages: { role: string; content: { type: string; text?: string } }[] }>;
  listResources(): Promise<{ resources: { uri: string; name: string; mimeType?: string }[] }>;
  listResourceTemplates(): Promise<{ resourceTemplates: unknown[] }>;
  readResource(p: { uri: string }): Promise<{ contents: { uri: string; mimeType?: string; text?: string }[] }>;
  getServerCapabilities(): Record<string, unknown> | undefined;
  callTool(p: { name: string; arguments?: Record<string, unknown> }): Promise<{ isError?: boolean; structuredContent?: Record<string, unknown> }>;
  close(): Promise<void>;
}

const ERAS = ['2026-07-28', '2025-11-25'] as const;
type Era = (typeof ERAS)[number];
const ALL_PROMPTS = ['review_application_oauth', 'offboard_user', 'audit_admins'];

describe('prompts and resources in both eras', () => {
  let h: Harness;
  const open: EraClient[] = [];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness();
    for (const scope of ['read:application', 'read:user write:user read:token write:token', 'read:user write:user']) tokens[scope] = await h.token(scope);
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close().catch(() => undefined)));
    await h.close();
  });

  /** A fresh client (the v2 client caches lists for their ttlMs, so one per check). */
  async function client(era: Era, scope?: string): Promise<EraClient> {
    const headers = scope ? { Authorization: `Bearer ${tokens[scope]}` } : {};
    let c: EraClient;
    if (era === '2026-07-28') {
      const m = new ModernClient({ name: 'tests-2026', version: '0' }, { versionNegotiation: { mode: { pin: era } } });
      await m.connect(new ModernTransport(new URL(h.url), { requestInit: { headers } }));
      c = m as unknown as EraClient;
    } else {
      const l = new LegacyClient({ name: 'tests-2025', version: '0' });
      await l.connect(new LegacyTransport(new URL(h.url), { requestInit: { headers } }));
      c = l as unknown as EraClient;
    }
    open.push(c);
    return c;
  }

  for (const era of ERAS) {
    describe(era, () => {
      it('advertises prompts and resources without listChanged or subscribe', async () => {
        const caps = (await client(era)).getServerCapabilities() as Record<string, Record<string, unknown>>;
        expect(caps.prompts).toEqual({});
        expect(caps.resources).toEqual({});
      });

      it('prompts/list offers a prompt only to callers who see every tool it names, in a fixed order', async () => {
        expect((await (await client(era)).listPrompts()).prompts.map((p) => p.name)).toEqual(ALL_PROMPTS);
        expect((await (await client(era, 'read:application')).listPrompts()).prompts.map((p) => p.name)).toEqual(['review_application_oauth']);
        expect((await (await client(era, 'read:user write:user read:token write:token')).listPrompts()).prompts.map((p) => p.name)).toEqual(['offboard_user', 'audit_admins']);
        // Without the token scopes, offboarding would stop halfway: not offered.
        expect((await (await client(era, 'read:user write:user')).listPrompts()).prompts.map((p) => p.name)).toEqual(['audit_admins']);
        const offboard = (await (await client(era)).listPrompts()).prompts.find((p) => p.name === 'offboard_user')!;
        expect(offboard.arguments).toEqual([{ name: 'id', description: expect.any(String), required: true }]);
      });

      it('prompts/get returns a message naming the tools, with the arguments filled in', async () => {
        const got = await (await client(era, 'read:user write:user read:token write:token')).getPrompt({ name: 'offboard_user', arguments: { id: 'acme/alice' } });
        expect(got.messages).toHaveLength(1);
        const text = got.messages[0]!.content.text!;
        expect(got.messages[0]!.role).toBe('user');
        for (const tool of ['get_user', 'update_user', 'get_tokens', 'delete_token']) expect(text).toContain(tool);
        expect(text).toContain('{"id": "acme/alice", "user": {"isForbidden": true}, "dry_run": true}');
        expect(text).toContain('{"organization": "acme"}');
      });

      it('the arguments a prompt tells the agent to send are ones the tool accepts', async () => {
        const admin = await client(era, 'read:user write:user read:token write:token');
        const text = (await admin.getPrompt({ name: 'offboard_user', arguments: { id: 'acme/alice' } })).messages[0]!.content.text!;
        const sent = JSON.parse(/Call update_user with (\{.*\}), show the preview/.exec(text)![1]!) as Record<string, unknown>;
        const preview = await admin.callTool({ name: 'update_user', arguments: sent });
        expect(preview.isError, JSON.stringify(preview)).toBeFalsy();
        expect(preview.structuredContent).toMatchObject({ dryRun: true, changes: [{ field: 'isForbidden' }] });
        expect(h.sandbox.data.users.get('acme/alice')).toMatchObject({ isForbidden: false });
      });

      it('prompts/get refuses a prompt the caller is not offered, an unknown one, and missing arguments (-32602)', async () => {
        const reader = await client(era, 'read:application');
        await expect(reader.getPrompt({ name: 'offboard_user', arguments: { id: 'acme/alice' } })).rejects.toMatchObject({ code: -32602 });
        await expect(reader.getPrompt({ name: 'nope', arguments: {} })).rejects.toMatchObject({ code: -32602 });
        await expect(reader.getPrompt({ name: 'review_application_oauth', arguments: {} })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('id') });
      });

      it('resources: the scope catalog, listed and read by anyone; no templates; an unknown uri is -32602 with the uri', async () => {
        const anonymous = await client(era);
        expect((await anonymous.listResources()).resources).toEqual([expect.objectContaining({ uri: 'casdoor-mcp://scopes', name: 'scopes', mimeType: 'application/json' })]);
        expect((await anonymous.listResourceTemplates()).resourceTemplates).toEqual([]);
        const read = await (await client(era, 'read:application')).readResource({ uri: 'casdoor-mcp://scopes' });
        expect(read.contents).toHaveLength(1);
        const catalog = JSON.parse(read.contents[0]!.text!) as { scopes: { scope: string; displayName: string; tools: string[] }[] };
        const expected = Object.entries(scopesJson.scopes).map(([scope, d]) => ({ scope, displayName: d.displayName, tools: d.tools }));
        expect(catalog.scopes.map(({ scope, displayName, tools }) => ({ scope, displayName, tools }))).toEqual(expected);
        await expect(anonymous.readResource({ uri: 'test://nothing-here' })).rejects.toMatchObject({ code: -32602, data: { uri: 'test://nothing-here' } });
      });
    });
  }
});
