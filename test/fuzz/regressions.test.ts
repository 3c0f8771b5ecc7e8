// Fixed cases the fuzz suites found, kept as plain tests so they stay fixed whatever seed runs.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { FUZZ_ENV, send, stillServing } from './support.js';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness(FUZZ_ENV);
  token = await h.token('admin');
});
afterAll(() => h?.close());

describe('fuzz regressions', () => {
  // The SDK's strict message schemas ignored any message with an extra member, so it was never answered.
  for (const extra of ['"foo":1', '"__proto__":{"isAdmin":true}', '"__proto__":null', '"constructor":{"name":"x"}']) {
    it(`a request with an extra top-level member (${extra}) is answered, not left hanging`, async () => {
      const answer = await send(h, `{${extra},"jsonrpc":"2.0","id":"p1","method":"ping"}`);
      expect(answer).toEqual({ status: 200, json: { jsonrpc: '2.0', id: 'p1', result: {} } });
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });
  }

  // The SDK took these for responses to nothing and never answered.
  for (const tail of ['"result":{}', '"result":"a"', '"error":{"code":1,"message":"m"}']) {
    it(`a request that also carries ${tail.split(':')[0]} gets 400 -32600 with its id`, async () => {
      const answer = await send(h, `{"jsonrpc":"2.0","id":"m1","method":"ping",${tail}}`, { Authorization: `Bearer ${token}` });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ jsonrpc: '2.0', id: 'm1', error: { code: -32600 } });
    });
  }

  // The SDK answered these with -32603 "Internal error" and its raw validation dump.
  for (const params of ['{"name":"get_applications","arguments":"x"}', '{"name":"get_applications","arguments":[]}', '{"name":"get_applications","arguments":null}', '{"name":5}', '{}']) {
    it(`tools/call with params ${params} gets 400 -32602, and Casdoor hears nothing`, async () => {
      const before = h.sandbox.requests.length;
      const answer = await send(h, `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":${params}}`, { Authorization: `Bearer ${token}` });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32602 } });
      expect(answer.json?.error.message).not.toMatch(/invalid_type|expected record/);
      expect(h.sandbox.requests.length).toBe(before);
    });
  }

  // Refusals that did not read the body made @hono/node-server reset the keep-alive connection under
  // the client's next request.
  it('requests refused before their body is read do not break the next request on the same connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const target = new URL(h.url);
    const post = (body: string, headers: Record<string, string>) =>
      new Promise<{ status: number; socket: unknown }>((resolve, reject) => {
        const req = request(
          { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const first = await post('x'.repeat(300_000), { 'MCP-Protocol-Version': '' });
      const second = await post('0123456789', { 'MCP-Protocol-Version': '1999-01-01' });
      const third = await post(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`, {});
      const fourth = await post('{"jsonrpc":"2.0","id":1,"method":"ping"}', { 'Content-Type': 'text/plain' });
      const fifth = await post('{"jsonrpc":"2.0","id":1,"method":"ping"}', {});
      expect([first.status, second.status, third.status, fourth.status, fifth.status]).toEqual([400, 400, 400, 415, 200]);
      expect(fifth.socket).toBe(first.socket); // one connection throughout
    } finally {
      agent.destroy();
    }
    await stillServing(h);
  });
});
