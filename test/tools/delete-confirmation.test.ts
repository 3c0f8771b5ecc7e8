import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, sseMessages, structured, text, type ElicitHandler, type Json } from './helpers.js';

/**
 * A delete never happens by accident: without confirmation it changes nothing and says what would go;
 * dry_run changes nothing; a client that can ask its user gets asked (elicitation), and only a "yes"
 * from that same client deletes.
 */
describe('delete confirmation: confirm + name, dry_run, elicitation', () => {
  let h: Harness;
  let seq = 0;

  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
  });
  afterAll(() => h.close());

  /** A fresh application in the sandbox store, cloned from acme-portal. */
  function freshApp(): string {
    const name = `doomed-${++seq}`;
    const base = h.sandbox.data.applications.get('admin/acme-portal')!;
    h.sandbox.data.applications.put({ ...structuredClone(base), name, clientId: `cid-${name}` });
    return name;
  }
  /** Each client its own token: capabilities are remembered per credential and client. */
  const fresh = async () => bearer(await h.token('read:application write:application read:user write:user'));
  const exists = (name: string): boolean => h.sandbox.data.applications.has(`admin/${name}`);
  const snapshot = () => structuredClone(h.sandbox.data.applications.list());

  it('without confirmation nothing changes and the answer says what would be deleted and how to confirm', async () => {
    const client = await mcpClient(h, await fresh());
    const name = freshApp();
    const before = snapshot();
    const r = await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}` } });
    expect(r.isError).toBeFalsy();
    expect(structured(r)).toMatchObject({
      deleted: false,
      id: `admin/${name}`,
      organization: 'acme',
      wouldDelete: { id: `admin/${name}`, name, organization: 'acme', clientId: `cid-${name}` },
      howToConfirm: `call again with confirm: true and name: "${name}"`,
    });
    expect(snapshot()).toEqual(before);
    expect(h.sandbox.requests.some((q) => q.path === '/api/delete-application')).toBe(false);
  });

  it('dry_run changes nothing, even with confirm and the right name', async () => {
    const client = await mcpClient(h, await fresh());
    const name = freshApp();
    const before = snapshot();
    const r = structured(await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}`, confirm: true, name, dry_run: true } }));
    expect(r).toMatchObject({ deleted: false, dryRun: true, wouldDelete: { name } });
    expect(snapshot()).toEqual(before);
  });

  it('confirm with the wrong name, or a name without confirm, deletes nothing', async () => {
    const client = await mcpClient(h, await fresh());
    const name = freshApp();
    const wrong = await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}`, confirm: true, name: 'acme-portal' } });
    expect(wrong.isError).toBe(true);
    expect(text(wrong)).toContain('nothing was deleted');
    const noConfirm = structured(await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}`, name } }));
    expect(noConfirm.deleted).toBe(false);
    expect(exists(name)).toBe(true);
    const ok = structured(await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}`, confirm: true, name } }));
    expect(ok).toEqual({ deleted: true, id: `admin/${name}`, organization: 'acme' });
    expect(exists(name)).toBe(false);
  });

  it('a client that supports elicitation is asked, and accepting deletes', async () => {
    const asked: Json[] = [];
    const accept: ElicitHandler = async (req) => {
      asked.push(req.params);
      return { action: 'accept', content: { confirm: true } };
    };
    const client = await mcpClient(h, await fresh(), accept);
    const name = freshApp();
    const r = await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}` } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(structured(r)).toEqual({ deleted: true, id: `admin/${name}`, organization: 'acme' });
    expect(exists(name)).toBe(false);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toBe(`Delete application "admin/${name}" (display name "Acme Portal", organization "acme", clientId "cid-${name}")? This cannot be undone.`);
    expect(asked[0]!.requestedSchema).toMatchObject({ type: 'object', properties: { confirm: { type: 'boolean' } }, required: ['confirm'] });
    // Other tools still answer plain JSON to such a client.
    const read = await client.callTool({ name: 'get_application', arguments: { id: 'admin/acme-portal' } });
    expect(read.isError).toBeFalsy();
  });

  it('declining, cancelling or accepting without the box ticked deletes nothing and gives no way around the user', async () => {
    for (const answer of [{ action: 'decline' }, { action: 'cancel' }, { action: 'accept', content: { confirm: false } }] as const) {
      const client = await mcpClient(h, await fresh(), async () => answer);
      const name = freshApp();
      const r = structured(await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}` } }));
      expect(r.deleted, answer.action).toBe(false);
      expect(r.reason).toMatch(/nothing was deleted/);
      expect(r).not.toHaveProperty('howToConfirm');
      expect(exists(name)).toBe(true);
    }
  });

  it('confirm + name cannot skip a user who can be asked: the client is still asked, and no means no', async () => {
    const asked: Json[] = [];
    const client = await mcpClient(h, await fresh(), async (req) => {
      asked.push(req.params);
      return { action: 'decline' };
    });
    const name = freshApp();
    const r = structured(await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}`, confirm: true, name } }));
    expect(asked).toHaveLength(1);
    expect(r.deleted).toBe(false);
    expect(exists(name)).toBe(true);
  });

  it('a question the client fails to answer deletes nothing', async () => {
    const client = await mcpClient(h, await fresh(), async () => {
      throw new Error('no human here');
    });
    const name = freshApp();
    const r = structured(await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}` } }));
    expect(r).toMatchObject({ deleted: false, reason: expect.stringContaining('could not be asked') });
    expect(r).not.toHaveProperty('howToConfirm');
    expect(exists(name)).toBe(true);
  });

  it('a client without the capability gets the preview; once one did not declare it, that token and client are never asked', async () => {
    const name = freshApp();
    const shared = bearer(await h.token('write:application'));
    const plain = await mcpClient(h, shared);
    expect(structured(await plain.callTool({ name: 'delete_application', arguments: { id: `admin/${name}` } })).howToConfirm).toBeDefined();
    expect(exists(name)).toBe(true);
    // A look-alike client on the same token declares elicitation: the server cannot tell the two apart,
    // so neither is asked (a question must never reach the one that cannot answer it).
    let asked = 0;
    const capable = await mcpClient(h, shared, async () => {
      asked += 1;
      return { action: 'accept', content: { confirm: true } };
    });
    expect(structured(await capable.callTool({ name: 'delete_application', arguments: { id: `admin/${name}` } })).deleted).toBe(false);
    expect(structured(await plain.callTool({ name: 'delete_application', arguments: { id: `admin/${name}`, confirm: true, name } })).deleted).toBe(true);
    expect(asked).toBe(0);
  });

  it('delete_user is guarded the same way', async () => {
    const client = await mcpClient(h, await fresh(), async () => ({ action: 'accept', content: { confirm: true } }));
    await client.callTool({ name: 'add_user', arguments: { user: { owner: 'acme', name: 'temp-user' } } });
    const plain = await mcpClient(h, bearer(await h.token('write:user')));
    const preview = structured(await plain.callTool({ name: 'delete_user', arguments: { id: 'acme/temp-user' } }));
    expect(preview).toMatchObject({ deleted: false, wouldDelete: { id: 'acme/temp-user' }, howToConfirm: 'call again with confirm: true and name: "temp-user"' });
    const dry = structured(await plain.callTool({ name: 'delete_user', arguments: { id: 'acme/temp-user', confirm: true, name: 'temp-user', dry_run: true } }));
    expect(dry).toMatchObject({ deleted: false, dryRun: true });
    expect(h.sandbox.data.users.has('acme/temp-user')).toBe(true);
    expect(structured(await client.callTool({ name: 'delete_user', arguments: { id: 'acme/temp-user' } })).deleted).toBe(true);
    expect(h.sandbox.data.users.has('acme/temp-user')).toBe(false);
  });

  describe('on the wire', () => {
    const init = (capabilities: Json) => rpc('initialize', { protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 'raw', version: '0' } });

    it('the question travels on an SSE reply; only the credential it was sent to can answer it', async () => {
      const own = await h.token('write:application');
      const other = await h.token('write:application');
      expect((await h.post(init({ elicitation: {} }), bearer(own))).status).toBe(200);
      const name = freshApp();
      const res = await h.post(call('delete_application', { id: `admin/${name}` }, 'del-1'), { ...bearer(own), 'MCP-Protocol-Version': '2025-11-25' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const stream = sseMessages(res);
      const question = (await stream.next()).value as Json;
      expect(question).toMatchObject({ jsonrpc: '2.0', method: 'elicitation/create', params: { message: expect.stringContaining(`admin/${name}`) } });
      const yes = { jsonrpc: '2.0', id: question.id, result: { action: 'accept', content: { confirm: true } } };
      // Another token, an anonymous caller and an unknown id are all dropped with the same 202.
      for (const headers of [bearer(other), {}]) expect((await h.post(yes, headers)).status).toBe(202);
      expect((await h.post({ ...yes, id: 987654 }, bearer(own))).status).toBe(202);
      expect(exists(name)).toBe(true);
      const no = { jsonrpc: '2.0', id: question.id, result: { action: 'decline' } };
      expect((await h.post(no, bearer(own))).status).toBe(202);
      const reply = (await stream.next()).value as Json;
      expect(reply).toMatchObject({ jsonrpc: '2.0', id: 'del-1', result: { structuredContent: { deleted: false } } });
      expect((await stream.next()).done).toBe(true);
      expect(exists(name)).toBe(true);
      // Answering again after the call ended reaches nothing.
      expect((await h.post(yes, bearer(own))).status).toBe(202);
      expect(exists(name)).toBe(true);
    });

    it('without text/event-stream in Accept the client cannot be asked: plain JSON and the preview', async () => {
      const own = await h.token('write:application');
      await h.post(init({ elicitation: {} }), bearer(own));
      const name = freshApp();
      const res = await h.post(call('delete_application', { id: `admin/${name}` }), { ...bearer(own), Accept: 'application/json', 'MCP-Protocol-Version': '2025-11-25' });
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(((await res.json()) as Json).result.structuredContent).toMatchObject({ deleted: false, howToConfirm: expect.any(String) });
      expect(exists(name)).toBe(true);
    });
  });
});
