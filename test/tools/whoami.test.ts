import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startHarness, type Harness } from '../support/harness.js';
import { bearer, cookie, mcpClient, rpcCodeOf, structured, type Json } from './helpers.js';

describe('whoami: who the caller is and what each tool needs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const whoami = async (headers: Record<string, string>): Promise<Json> => {
    const client = await mcpClient(h, headers);
    return structured(await client.callTool({ name: 'whoami', arguments: {} }));
  };
  const byName = (me: Json): Record<string, Json> => Object.fromEntries(me.tools.map((t: Json) => [t.name, t]));

  it('a token with no scope sees only whoami, and learns the scope every other tool needs', async () => {
    const headers = bearer(await h.token(''));
    const client = await mcpClient(h, headers);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['whoami']);
    const me = await whoami(headers);
    expect(me).toMatchObject({
      principal: { type: 'application', id: 'admin/casdoor-mcp', name: 'casdoor-mcp', role: 'application casdoor-mcp' },
      authenticatedWith: 'token',
      organizations: 'all',
      grantedScopes: [],
      canonicalScopes: [],
    });
    expect(me.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const tools = byName(me);
    expect(tools.whoami).toEqual({ name: 'whoami', allowed: true });
    expect(tools.get_applications).toEqual({ name: 'get_applications', allowed: false, missingScope: 'read:application' });
    expect(tools.delete_user).toEqual({ name: 'delete_user', allowed: false, missingScope: 'write:user' });
  });

  it('agrees with what a call gets: every refused tool is refused with that scope, every allowed one passes the gate', async () => {
    const headers = bearer(await h.token('application:read user:write'));
    const me = await whoami(headers);
    expect(me.grantedScopes).toEqual(['application:read', 'user:write']);
    expect(me.canonicalScopes).toEqual(['read:application', 'write:user']);
    for (const t of me.tools as Json[]) {
      // Empty arguments: an allowed write gets -32602 from the dispatcher, so nothing is written.
      const res = await h.post(call(t.name, {}), headers);
      const body = (await res.json()) as Json;
      if (t.allowed) {
        expect(res.status, t.name).toBe(200);
        expect([-32001, -32010, -32013], `${t.name}: ${JSON.stringify(body)}`).not.toContain(body.error?.code);
        if (!body.error) expect(body.result.isError, t.name).toBeFalsy();
      } else {
        expect(res.status, t.name).toBe(403);
        expect(body.error.data.required_scope, t.name).toBe(t.missingScope);
      }
    }
    expect(me.tools.filter((t: Json) => t.allowed).map((t: Json) => t.name)).toEqual([
      'whoami', 'get_applications', 'get_application', 'add_user', 'update_user', 'delete_user',
    ]);
  });

  it('an organization admin may act on their organization only; a plain user on none', async () => {
    const alice = await whoami(bearer(await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'admin', audience: [h.url] })));
    expect(alice).toMatchObject({ principal: { type: 'user', id: 'acme/alice', organization: 'acme', isAdmin: true }, organizations: ['acme'] });
    expect(byName(alice).add_user!.allowed).toBe(true);
    const bob = await whoami(bearer(await h.sandbox.issueToken({ kind: 'user', user: 'acme/bob', scope: 'admin', audience: [h.url] })));
    expect(bob).toMatchObject({ principal: { id: 'acme/bob', isAdmin: false }, organizations: [] });
    expect(byName(bob).add_application).toMatchObject({ allowed: false, rule: 'admin_required' });
    expect(byName(bob).get_application!.allowed).toBe(true);
  });

  it('a session cookie is not limited by scopes, and says so', async () => {
    const me = await whoami(cookie(await h.sandbox.login('built-in', 'admin', '123')));
    expect(me).toMatchObject({ authenticatedWith: 'cookie', organizations: 'all', grantedScopes: [], principal: { id: 'built-in/admin' } });
    expect(me.note).toContain('not limited by scopes');
    expect((me.tools as Json[]).every((t) => t.allowed)).toBe(true);
  });

  it('needs credentials like every tools/call', async () => {
    const res = await h.post(call('whoami', {}));
    expect(res.status).toBe(401);
    const client = await mcpClient(h, {});
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toSatisfy((e: unknown) => rpcCodeOf(e) === -32010);
  });
});
