// Defect 6 of issue 12: the elicitation capability was remembered per credential, so client B (no
// elicitation) sharing a token with client A (elicitation) was sent elicitation/create, which B never
// declared; B answered -32601 and its confirmed delete failed, and a raw client accepting SSE waited 120 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call as rpcCall, startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, structured, text } from '../tools/helpers.js';

let h: Harness;
let seq = 0;
beforeAll(async () => {
  h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
});
afterAll(() => h?.close());

function freshApp(): string {
  const name = `shared-${++seq}`;
  const base = h.sandbox.data.applications.get('admin/acme-portal')!;
  h.sandbox.data.applications.put({ ...structuredClone(base), name, clientId: `cid-${name}` });
  return name;
}

describe('elicitation only towards a client that declared it', () => {
  for (const order of ['A then B', 'B then A'] as const) {
    it(`two clients on one token (${order}): B's confirm + name deletes, and nobody is asked`, async () => {
      const token = bearer(await h.token('read:application write:application'));
      let asked = 0;
      const declare = () =>
        mcpClient(h, token, async () => {
          asked += 1;
          return { action: 'accept', content: { confirm: true } };
        });
      const a = order === 'A then B' ? await declare() : undefined;
      const b = await mcpClient(h, token);
      if (!a) await declare();
      const name = freshApp();
      const r = await b.callTool({ name: 'delete_application', arguments: { id: `admin/${name}`, confirm: true, name } });
      expect(r.isError, text(r)).toBeFalsy();
      expect(structured(r)).toMatchObject({ deleted: true });
      expect(asked).toBe(0);
      expect(h.sandbox.data.applications.has(`admin/${name}`)).toBe(false);
    });
  }

  it('a raw client that never initialized gets a plain answer at once, though the token\'s other client can be asked', async () => {
    const token = await h.token('read:application write:application');
    await mcpClient(h, bearer(token), async () => ({ action: 'accept', content: { confirm: true } }));
    const name = freshApp();
    const started = Date.now();
    const res = await h.post(rpcCall('delete_application', { id: `admin/${name}`, confirm: true, name }), bearer(token));
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { result: { structuredContent: unknown } }).result.structuredContent).toMatchObject({ deleted: true });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a client alone on its token that declared elicitation is still asked', async () => {
    let asked = 0;
    const a = await mcpClient(h, bearer(await h.token('read:application write:application')), async () => {
      asked += 1;
      return { action: 'decline' };
    });
    const name = freshApp();
    const r = await a.callTool({ name: 'delete_application', arguments: { id: `admin/${name}`, confirm: true, name } });
    expect(structured(r).deleted).toBe(false);
    expect(asked).toBe(1);
  });
});
