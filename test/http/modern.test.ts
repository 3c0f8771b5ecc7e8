import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestStateSealer, isInputRequired, REQUEST_STATE_TTL_MS, type InputRequired } from '../../src/mcp/input-required.js';
import { RpcCode } from '../../src/auth/errors.js';
import { traceContextOf } from '../../src/mcp/trace-context.js';
import { startHarness, type Harness } from '../support/harness.js';

/** The 2026-07-28 wire, raw: what a stateless client of that revision sends and gets. */
const V = '2026-07-28';
const META = { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': {} };
type Json = Record<string, any>;

describe('MCP 2026-07-28 on the wire', () => {
  let h: Harness;
  let writer: string;
  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
    writer = await h.token('read:application write:application');
  });
  afterAll(() => h.close());

  function send(method: string, params: Json = {}, headers: Record<string, string> = {}, id: number | string = 1, path = '/mcp') {
    const name = method === 'tools/call' || method === 'prompts/get' ? { 'Mcp-Name': String(params.name) } : method === 'resources/read' ? { 'Mcp-Name': String(params.uri) } : {};
    return h.post({ jsonrpc: '2.0', id, method, params: { _meta: META, ...params } }, { 'MCP-Protocol-Version': V, 'Mcp-Method': method, ...name, ...headers }, path);
  }

  for (const path of ['/mcp', '/api/mcp']) {
    it(`${path}: server/discover lists both eras and only the capabilities delivered, without listChanged or subscribe`, async () => {
      const res = await send('server/discover', {}, {}, 'd', path);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.id).toBe('d');
      expect(body.result).toMatchObject({
        resultType: 'complete',
        supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
        capabilities: { tools: {} },
        cacheScope: 'public',
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'casdoor-mcp' } },
      });
      expect(Number.isInteger(body.result.ttlMs) && body.result.ttlMs >= 0).toBe(true);
      expect(body.result.capabilities).toEqual({ tools: {}, prompts: {}, resources: {}, completions: {} });
    });
  }

  it('headers must mirror the body: Mcp-Method and Mcp-Name, exact and case-sensitive; -32020 with the id', async () => {
    const cases: [string, Json, Record<string, string>][] = [
      ['tools/list', {}, { 'Mcp-Method': 'prompts/list' }],
      ['tools/list', {}, { 'Mcp-Method': 'TOOLS/LIST' }],
      ['tools/call', { name: 'whoami', arguments: {} }, { 'Mcp-Name': 'get_users' }],
    ];
    for (const [method, params, headers] of cases) {
      const body = await (await send(method, params, headers, 5)).json();
      expect(body, JSON.stringify(headers)).toMatchObject({ id: 5, error: { code: -32020 } });
    }
    const missingMethod = await h.post({ jsonrpc: '2.0', id: 6, method: 'tools/list', params: { _meta: META } }, { 'MCP-Protocol-Version': V });
    expect(missingMethod.status).toBe(400);
    expect((await missingMethod.json()).error.code).toBe(-32020);
    const missingName = await h.post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'whoami', _meta: META } }, { 'MCP-Protocol-Version': V, 'Mcp-Method': 'tools/call' });
    expect((await missingName.json()).error.code).toBe(-32020);
    // _meta says 2026 but the header does not: a mismatch, not a silent 2025 request.
    const noHeader = await h.post({ jsonrpc: '2.0', id: 8, method: 'tools/list', params: { _meta: META } });
    expect((await noHeader.json()).error.code).toBe(-32020);
  });

  it('_meta must carry protocolVersion and clientCapabilities (-32602, 400); clientInfo is optional', async () => {
    for (const meta of [undefined, { 'io.modelcontextprotocol/clientCapabilities': {} }, { 'io.modelcontextprotocol/protocolVersion': V }]) {
      const res = await h.post({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: meta ? { _meta: meta } : {} }, { 'MCP-Protocol-Version': V, 'Mcp-Method': 'tools/list' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ id: 3, error: { code: -32602 } });
    }
  });

  it('methods of the 2025 era and unknown ones get 404 + -32601 with the id', async () => {
    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'nope/nothing']) {
      const res = await send(method, {}, {}, method);
      expect(res.status, method).toBe(404);
      expect(await res.json()).toMatchObject({ id: method, error: { code: -32601 } });
    }
  });

  it('tools/list carries resultType and caching hints: public when anonymous, private when a token filtered it', async () => {
    const anonymous = (await (await send('tools/list')).json()).result;
    expect(anonymous).toMatchObject({ resultType: 'complete', cacheScope: 'public' });
    const reader = await h.token('read:application');
    const scoped = (await (await send('tools/list', {}, { Authorization: `Bearer ${reader}` })).json()).result;
    expect(scoped).toMatchObject({ resultType: 'complete', cacheScope: 'private' });
    expect(scoped.tools.map((t: Json) => t.name)).toEqual(['whoami', 'get_applications', 'get_application']);
    // A filtered list keeps the full list's order (deterministic, the registry's order).
    const order = anonymous.tools.map((t: Json) => t.name);
    expect(order.filter((n: string) => scoped.tools.some((t: Json) => t.name === n))).toEqual(scoped.tools.map((t: Json) => t.name));
    expect(scoped.ttlMs).toBe(anonymous.ttlMs);
  });

  it('prompts and resources carry resultType and caching hints: prompts private once a token filtered them, the scope catalog public', async () => {
    const auth = { Authorization: `Bearer ${await h.token('read:application')}` };
    const result = async (method: string, params: Json = {}, headers: Record<string, string> = {}) => (await (await send(method, params, headers)).json()).result;
    expect(await result('prompts/list')).toMatchObject({ resultType: 'complete', ttlMs: 300000, cacheScope: 'public' });
    expect(await result('prompts/list', {}, auth)).toMatchObject({ resultType: 'complete', ttlMs: 300000, cacheScope: 'private', prompts: [{ name: 'review_application_oauth' }] });
    for (const headers of [{}, auth]) {
      expect(await result('resources/list', {}, headers)).toMatchObject({ resultType: 'complete', ttlMs: 300000, cacheScope: 'public', resources: [{ uri: 'casdoor-mcp://scopes' }] });
      expect(await result('resources/templates/list', {}, headers)).toEqual({ resultType: 'complete', ttlMs: 300000, cacheScope: 'public', resourceTemplates: [] });
      expect(await result('resources/read', { uri: 'casdoor-mcp://scopes' }, headers)).toMatchObject({ resultType: 'complete', ttlMs: 300000, cacheScope: 'public' });
    }
    const got = await result('prompts/get', { name: 'review_application_oauth', arguments: { id: 'admin/acme-portal' } }, auth);
    expect(got).toMatchObject({ resultType: 'complete', messages: [{ role: 'user', content: { type: 'text' } }] });
    const missing = await (await send('resources/read', { uri: 'test://missing' })).json();
    expect(missing).toMatchObject({ id: 1, error: { code: -32602, data: { uri: 'test://missing' } } });
  });

  it('a scope hierarchy is honoured: the convenience scope "write" grants every write tool in this era too', async () => {
    const broad = await h.token('read write');
    const listed = (await (await send('tools/list', {}, { Authorization: `Bearer ${broad}` })).json()).result.tools.map((t: Json) => t.name);
    expect(listed).toEqual(expect.arrayContaining(['delete_application', 'delete_user', 'get_users']));
  });

  it('offline_access is never advertised: not in Protected Resource Metadata, not in a challenge', async () => {
    const prm = await (await fetch(new URL('/.well-known/oauth-protected-resource/mcp', h.url))).json();
    expect(prm.scopes_supported).not.toContain('offline_access');
    const res = await send('tools/call', { name: 'delete_user', arguments: { id: 'acme/alice' } });
    expect(res.headers.get('www-authenticate')).not.toMatch(/offline_access/);
  });

  it('tools/call results carry resultType complete', async () => {
    const body = await (await send('tools/call', { name: 'whoami', arguments: {} }, { Authorization: `Bearer ${writer}` })).json();
    expect(body.result.resultType).toBe('complete');
    expect(body.result.structuredContent).toBeDefined();
  });

  describe('delete confirmation through input_required', () => {
    const ELICIT = { ...META, 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
    let seq = 0;
    function freshApp(): string {
      const name = `mrtr-${++seq}`;
      const base = h.sandbox.data.applications.get('admin/acme-portal')!;
      h.sandbox.data.applications.put({ ...structuredClone(base), name, clientId: `cid-${name}` });
      return name;
    }
    const exists = (name: string) => h.sandbox.data.applications.has(`admin/${name}`);
    const del = (name: string, extra: Json = {}, token = writer) =>
      send('tools/call', { name: 'delete_application', arguments: { id: `admin/${name}` }, _meta: ELICIT, ...extra }, { Authorization: `Bearer ${token}` }).then((r) => r.json() as Promise<Json>);
    const yes = { confirm: { action: 'accept', content: { confirm: true } } };

    it('the first round asks (input_required with an elicitation and a requestState); the retry with the answer deletes', async () => {
      const name = freshApp();
      const first = (await del(name)).result;
      expect(first.resultType).toBe('input_required');
      expect(first.content).toBeUndefined();
      expect(first.inputRequests.confirm).toMatchObject({ method: 'elicitation/create', params: { mode: 'form', requestedSchema: { properties: { confirm: { type: 'boolean' } } } } });
      expect(typeof first.requestState).toBe('string');
      expect(exists(name)).toBe(true);
      const second = (await del(name, { inputResponses: yes, requestState: first.requestState })).result;
      expect(second).toMatchObject({ resultType: 'complete', structuredContent: { deleted: true } });
      expect(exists(name)).toBe(false);
    });

    it('a request state is good for one retry: replaying the confirmed retry is refused (-32602) and deletes nothing', async () => {
      const name = freshApp();
      const base = structuredClone(h.sandbox.store.applications.get(`admin/${name}`)!);
      const { requestState } = (await del(name)).result;
      const confirmed = { inputResponses: yes, requestState };
      expect((await del(name, confirmed)).result).toMatchObject({ resultType: 'complete', structuredContent: { deleted: true } });
      // The same application again, so the question would be the same: only the record of use stops the replay.
      h.sandbox.store.applications.set(`admin/${name}`, base);
      const replay = await del(name, confirmed);
      expect(replay.error).toMatchObject({ code: -32602, data: { reason: 'request_state_reused' } });
      expect(replay.error.message).toMatch(/already used/);
      expect(exists(name)).toBe(true);
      // Asked afresh, it can be deleted again: a new state, good for its own retry.
      const fresh = (await del(name)).result;
      expect(fresh.requestState).not.toBe(requestState);
      expect((await del(name, { inputResponses: yes, requestState: fresh.requestState })).result.structuredContent).toMatchObject({ deleted: true });
      // A state spent on a decline cannot be replayed as an accept.
      const again = freshApp();
      const state = (await del(again)).result.requestState;
      expect((await del(again, { inputResponses: { confirm: { action: 'decline' } }, requestState: state })).result.structuredContent).toMatchObject({ deleted: false });
      expect((await del(again, { inputResponses: yes, requestState: state })).error).toMatchObject({ code: -32602 });
      expect(exists(again)).toBe(true);
    });

    it('an answer without a state is asked again; a tampered state, another target\'s or garbage is refused (-32602); nothing is deleted', async () => {
      const name = freshApp();
      const other = freshApp();
      expect((await del(name, { inputResponses: yes })).result.resultType).toBe('input_required');
      const { requestState } = (await del(other)).result;
      const [payload, tag] = String(requestState).split('.');
      const flipped = `${payload}.${tag!.slice(0, -2)}${tag!.endsWith('A') ? 'B' : 'A'}A`;
      const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), exp: Date.now() + 1e9 })).toString('base64url')}.${tag}`;
      for (const state of [flipped, forged, requestState, 'garbage']) {
        const body = await del(name, { inputResponses: yes, requestState: state });
        expect(body.error?.code, String(state).slice(0, 40)).toBe(-32602);
        expect(body.error.message).toMatch(/requestState/);
      }
      expect(exists(name)).toBe(true);
      expect(exists(other)).toBe(true);
    });

    it('the state is bound to the verified caller: another principal cannot use it, and it expires', async () => {
      let now = 1_000_000;
      const sealer = createRequestStateSealer('server-secret', () => now);
      const principal = (id: string) => ({ kind: 'token', principal: { type: 'application', id, name: id }, grantedScopes: [], scopes: new Set<string>(), clientId: id, expiresAt: 0 }) as const;
      const ask = (who: string, roundTrip: Json) => sealer.elicitor({ tool: 'delete_application', args: { id: 'admin/x' }, caller: principal(who), roundTrip })('Delete?', { type: 'object', properties: {} });
      const first = await ask('admin/app-a', {}).catch((e: unknown) => e);
      expect(isInputRequired(first)).toBe(true);
      const state = (first as InputRequired).result.requestState as string;
      const answer = { confirm: { action: 'accept', content: { confirm: true } } };
      await expect(ask('admin/app-a', { inputResponses: answer, requestState: state })).resolves.toEqual({ action: 'accept', content: { confirm: true } });
      const call = (who: string) => ({ tool: 'delete_application', args: { id: 'admin/x' }, caller: principal(who) });
      expect(sealer.verifies(state, call('admin/app-a'))).toBe(true);
      expect(sealer.verifies(state, call('admin/app-b'))).toBe(false);
      expect(sealer.verifies(state, { ...call('admin/app-a'), args: { id: 'admin/y' } })).toBe(false);
      expect(sealer.verifies(state, { ...call('admin/app-a'), tool: 'delete_user' })).toBe(false);
      expect(createRequestStateSealer('another-key', () => now).verifies(state, call('admin/app-a'))).toBe(false);
      expect(isInputRequired(await createRequestStateSealer('another-key', () => now).elicitor({ tool: 'delete_application', args: { id: 'admin/x' }, caller: principal('admin/app-a'), roundTrip: { inputResponses: answer, requestState: state } })('Delete?', { type: 'object', properties: {} }).catch((e: unknown) => e))).toBe(true);
      // A state sealed for another question (the target changed since) asks again.
      const changed = await sealer.elicitor({ ...call('admin/app-a'), roundTrip: { inputResponses: answer, requestState: state } })('Delete now?', { type: 'object', properties: {} }).catch((e: unknown) => e);
      expect(isInputRequired(changed)).toBe(true);
      now += REQUEST_STATE_TTL_MS + 1;
      expect(sealer.verifies(state, call('admin/app-a'))).toBe(false);
    });

    it('a declined answer deletes nothing and says the user declined', async () => {
      const name = freshApp();
      const { requestState } = (await del(name)).result;
      const r = (await del(name, { inputResponses: { confirm: { action: 'decline' } }, requestState })).result;
      expect(r).toMatchObject({ resultType: 'complete', structuredContent: { deleted: false } });
      expect(r.structuredContent.reason).toMatch(/declined/);
      expect(exists(name)).toBe(true);
    });

    it('malformed inputResponses or requestState get -32602', async () => {
      for (const extra of [{ inputResponses: null }, { inputResponses: { confirm: 5 } }, { requestState: 5 }]) {
        const body = await del('whatever', extra);
        expect(body.error?.code, JSON.stringify(extra)).toBe(-32602);
      }
    });

  });

  it('error codes follow the 2026 policy: this server\'s codes in -32000..-32019, never in the range MCP reserves', () => {
    for (const [name, code] of Object.entries(RpcCode)) expect(code >= -32019 && code <= -32000, name).toBe(true);
  });

  it('trace context in params._meta is parsed once, and malformed values are dropped', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(traceContextOf({ _meta: { traceparent: tp, tracestate: 'a=b' } })).toMatchObject({ traceparent: tp, tracestate: 'a=b', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', sampled: true });
    for (const bad of ['00-0000000000000000000000000000000-00f067aa0ba902b7-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x', 42]) {
      expect(traceContextOf({ _meta: { traceparent: bad } })).toBeUndefined();
    }
  });
});
