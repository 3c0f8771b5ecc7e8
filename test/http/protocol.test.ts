import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc, startHarness, type Harness } from '../support/harness.js';

const init = (protocolVersion: string) =>
  rpc('initialize', { protocolVersion, capabilities: {}, clientInfo: { name: 't', version: '0' } });

describe('Streamable HTTP edge (stateless, JSON responses)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  // After each refusal the server must keep serving.
  async function stillServing() {
    const res = await h.post(rpc('ping', undefined, 'after'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 'after', result: {} });
  }

  for (const path of ['/mcp', '/api/mcp']) {
    it(`${path}: GET and DELETE get 405 with Allow`, async () => {
      for (const method of ['GET', 'DELETE']) {
        const res = await fetch(new URL(path, h.url), { method, headers: { Accept: 'text/event-stream' } });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST, OPTIONS');
      }
    });

    it(`${path}: negotiates every supported version and falls back to the latest`, async () => {
      for (const v of ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']) {
        const body = await (await h.post(init(v), {}, path)).json();
        expect(body.result.protocolVersion).toBe(v);
        expect(body.result.serverInfo.name).toBe('casdoor-mcp');
      }
      const body = await (await h.post(init('1999-01-01'), {}, path)).json();
      expect(body.result.protocolVersion).toBe('2025-11-25');
    });
  }

  it('issues no Mcp-Session-Id (stateless)', async () => {
    const res = await h.post(init('2025-11-25'));
    expect(res.headers.get('mcp-session-id')).toBeNull();
  });

  it('an unsupported MCP-Protocol-Version header gets 400, with the request id and the versions offered', async () => {
    const res = await h.post(rpc('ping', undefined, 42), { 'MCP-Protocol-Version': '1999-01-01' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.id).toBe(42);
    expect(body.error.code).toBe(-32022);
    expect(body.error.message).toContain('Unsupported MCP-Protocol-Version');
    expect(body.error.data).toEqual({ supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'], requested: '1999-01-01' });
    await stillServing();
  });

  it('error answers to a message whose id is known carry that id', async () => {
    const wrongType = await h.post(rpc('ping', undefined, 'x-1'), { 'Content-Type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect((await wrongType.json()).id).toBe('x-1');
    const badParams = await h.post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: [] });
    expect((await badParams.json()).id).toBe(7);
    // Unparseable: no id can be known, so null (JSON-RPC 2.0).
    const garbled = await fetch(h.url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: '{"id": 3,' });
    expect((await garbled.json()).id).toBeNull();
  });

  it('a notification gets 202 with no body', async () => {
    for (const method of ['notifications/initialized', 'notifications/cancelled', 'notifications/whatever']) {
      const res = await h.post({ jsonrpc: '2.0', method });
      expect(res.status).toBe(202);
      expect(await res.text()).toBe('');
    }
  });

  it('a batch gets a JSON-RPC error', async () => {
    const res = await h.post([rpc('ping', undefined, 1), rpc('ping', undefined, 2)]);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe(-32600);
    await stillServing();
  });

  it('malformed JSON gets -32700', async () => {
    const res = await h.post('{"jsonrpc":"2.0","id":1,"method":');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    await stillServing();
  });

  it('a body over the limit gets 413, declared or streamed', async () => {
    const big = JSON.stringify(rpc('ping', { pad: 'x'.repeat(1024 * 1024 + 10) }));
    const res = await h.post(big);
    expect(res.status).toBe(413);
    const streamed = await fetch(h.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    await stillServing();
  });

  it('a non-JSON content type gets 415', async () => {
    const res = await fetch(h.url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(rpc('ping')) });
    expect(res.status).toBe(415);
    await stillServing();
  });

  it('an unknown method gets -32601 with the id echoed', async () => {
    const res = await h.post(rpc('resources/subscribe', { uri: 'casdoor-mcp://scopes' }, 'x-7'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'x-7', error: { code: -32601 } });
  });

  it('params that break a method\'s schema get a short -32602, not an internal error with a validation dump', async () => {
    for (const msg of [
      rpc('initialize', { protocolVersion: 5, capabilities: {}, clientInfo: { name: 't', version: '0' } }, 'i'),
      rpc('initialize', { capabilities: 'x' }, 'j'),
      rpc('tools/list', { cursor: 7 }, 'k'),
    ]) {
      const res = await h.post(msg);
      expect(res.status, JSON.stringify(msg)).toBe(400);
      const body = (await res.json()) as { id: unknown; error: { code: number; message: string; data?: unknown } };
      expect(body.id).toBe(msg.id);
      expect(body.error.code).toBe(-32602);
      expect(body.error.message).toMatch(/^Invalid params for (initialize|tools\/list): check /);
      expect(body.error.message.length).toBeLessThan(200);
    }
    await stillServing();
  });

  it('invalid messages get -32600, never a 500', async () => {
    for (const body of ['null', '42', '"str"', '{}', '{"jsonrpc":"1.0","id":1,"method":"ping"}', '{"jsonrpc":"2.0","id":{},"method":"ping"}', '{"jsonrpc":"2.0","id":1}']) {
      const res = await h.post(body);
      expect(res.status, body).toBe(400);
      expect((await res.json()).error.code, body).toBe(-32600);
    }
    await stillServing();
  });

  it('a cross-site Origin gets 403; the own origin passes', async () => {
    const bad = await h.post(rpc('ping'), { Origin: 'https://evil.example' });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('connection')).toBe('close'); // its body was not read
    const own = await h.post(rpc('ping'), { Origin: new URL(h.url).origin });
    expect(own.status).toBe(200);
  });

  it('a foreign Host header gets 403 (DNS rebinding) on a loopback server', async () => {
    // fetch will not send a Host of its choosing; node:http will.
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(h.url);
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'Content-Type': 'application/json', Host: host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(JSON.stringify(rpc('ping')));
      });
    expect(await status('evil.example.com')).toBe(403);
    expect(await status(`localhost:${new URL(h.url).port}`)).toBe(200);
  });

  it('unknown paths get a JSON 404', async () => {
    const res = await fetch(new URL('/nope', h.url));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});
