import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { call, rpc } from '../support/harness.js';
import { hasRedis, startRedis, type TestRedis } from '../support/redis.js';
import { startRoundRobin, type Routed } from '../support/round-robin.js';

type Json = Record<string, any>;
const METRICS_TOKEN = 'fleet-metrics-token-0123456789';

// Under CI the fleet test must run: a missing redis-server is a failure there, not a skip.
const ci = process.env.CI === 'true';
if (!hasRedis && !ci) console.warn('fleet tests skipped: redis-server is not installed (apt-get install redis-server); CI installs it');
const describeFleet = hasRedis || ci ? describe : describe.skip;

interface Fleet {
  proxy: { url: string; log: Routed[]; close(): Promise<void> };
  servers: RunningServer[];
  logs: string[];
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Two instances with one Casdoor (the sandbox) and one Redis, behind a round-robin proxy whose URL is their public URL. */
async function startFleet(sandbox: Sandbox, redis: TestRedis, env: Record<string, string>): Promise<Fleet> {
  const proxy = await startRoundRobin();
  const logs: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (logs.push(...String(chunk).split('\n').filter(Boolean)), done()) }));
  const servers: RunningServer[] = [];
  for (let i = 0; i < 2; i += 1) {
    const config = loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      CASDOOR_ENDPOINT: sandbox.url,
      CASDOOR_CLIENT_ID: sandbox.demo.clientId,
      CASDOOR_CLIENT_SECRET: sandbox.demo.clientSecret,
      CASDOOR_APPLICATION: sandbox.demo.application,
      CASDOOR_ORGANIZATION: sandbox.demo.organization,
      MCP_PUBLIC_URL: `${proxy.url}/mcp`,
      REDIS_URL: redis.url,
      MCP_METRICS_TOKEN: METRICS_TOKEN,
      ...env,
    });
    const server = await startServer(config, logger.child({ instance: i }));
    servers.push(server);
    proxy.backends.push(server.origin);
  }
  return {
    proxy,
    servers,
    logs,
    post: (body, headers = {}) =>
      fetch(`${proxy.url}/mcp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(body),
      }),
    async close() {
      for (const s of servers) await s.close();
      await proxy.close();
    },
  };
}

/** A fresh application in the shared sandbox, cloned from acme-portal. */
let seq = 0;
function freshApp(sandbox: Sandbox): string {
  const name = `fleet-doomed-${++seq}`;
  const base = sandbox.data.applications.get('admin/acme-portal')!;
  sandbox.data.applications.put({ ...structuredClone(base), name, clientId: `cid-${name}` });
  return name;
}

/**
 * A real SDK client that declares elicitation and accepts. The POSTs go: initialize to one instance,
 * the initialized notification and a ping in turn, so the tools/call reaches the instance that did
 * NOT see initialize and the answer to its question reaches the one that did not ask.
 */
async function deleteThroughFleet(fleet: Fleet, token: string, sandbox: Sandbox): Promise<{ name: string; result: Json; routed: Routed[] }> {
  const client = new Client({ name: 'fleet-test', version: '0' }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
  const start = fleet.proxy.log.length;
  await client.connect(new StreamableHTTPClientTransport(new URL(`${fleet.proxy.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  // Line the round robin up: the initialize went to backend k; make the tools/call go to the other one.
  const posts = () => fleet.proxy.log.slice(start).filter((r) => r.method === 'POST');
  const initOn = posts().find((r) => r.rpc === 'initialize')!.backend;
  while ((fleet.proxy.log.filter((r) => r.method === 'POST').length % 2) !== (1 - initOn + 2) % 2) await client.ping();
  const name = freshApp(sandbox);
  const result = (await client.callTool({ name: 'delete_application', arguments: { id: `admin/${name}` } })) as Json;
  await client.close();
  return { name, result, routed: fleet.proxy.log.slice(start) };
}

/** Inside one describe block: a sandbox, a Redis and a fleet of their own, stopped after the block; `ready` runs once they are up. */
function fleetFixture(env: Record<string, string>, ready?: (sandbox: Sandbox, fleet: Fleet) => Promise<void>): { sandbox: Sandbox; redis: TestRedis; fleet: Fleet } {
  const f = {} as { sandbox: Sandbox; redis: TestRedis; fleet: Fleet };
  beforeAll(async () => {
    f.sandbox = await startSandbox();
    f.redis = await startRedis();
    f.fleet = await startFleet(f.sandbox, f.redis, env);
    await ready?.(f.sandbox, f.fleet);
  }, 60_000);
  afterAll(async () => {
    await f.fleet?.close();
    await f.redis?.stop();
    await f.sandbox?.stop();
  });
  return f;
}

describeFleet('a fleet: two instances, one Redis, a round-robin load balancer', () => {
  let sandbox: Sandbox;
  let redis: TestRedis;
  let fleet: Fleet;
  let appToken: string;
  const f = fleetFixture({ MCP_RATE_LIMIT_READS_PER_MINUTE: '5', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' }, async (s, fl) => {
    ({ sandbox, redis, fleet } = f);
    appToken = await s.issueToken({ scope: 'read:application write:application', audience: [`${fl.proxy.url}/mcp`] });
  });

  it("a caller's rate limit holds across both instances", async () => {
    const alice = await sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'read:application', audience: [`${fleet.proxy.url}/mcp`] });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await fleet.post(rpc('tools/list'), { Authorization: `Bearer ${alice}` })).status);
    // Five per minute for the fleet, not five per instance: the sixth and seventh are refused.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(new Set(fleet.proxy.log.slice(-7).map((r) => r.backend))).toEqual(new Set([0, 1]));
  });

  it('a delete whose confirmation is answered through the other instance completes', async () => {
    const { name, result, routed } = await deleteThroughFleet(fleet, appToken, sandbox);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ deleted: true, id: `admin/${name}` });
    expect(sandbox.data.applications.has(`admin/${name}`)).toBe(false);
    const posts = routed.filter((r) => r.method === 'POST');
    const init = posts.find((r) => r.rpc === 'initialize')!;
    const callPost = posts.find((r) => r.rpc === 'tools/call')!;
    const answer = posts.find((r) => r.rpc === 'response')!;
    // The capability declared on one instance was known on the other, and the answer crossed over.
    expect(callPost.backend).not.toBe(init.backend);
    expect(answer.backend).not.toBe(callPost.backend);
    expect(answer.status).toBe(202);
  });

  it('a 2026 confirmation used on one instance cannot be replayed on the other', async () => {
    const name = freshApp(sandbox);
    const base = structuredClone(sandbox.store.applications.get(`admin/${name}`)!);
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
    const del = async (extra: Json = {}) => {
      const params = { name: 'delete_application', arguments: { id: `admin/${name}` }, _meta: meta, ...extra };
      const headers = { Authorization: `Bearer ${appToken}`, 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'delete_application' };
      const body = (await (await fleet.post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }, headers)).json()) as Json;
      return { body, backend: fleet.proxy.log.at(-1)!.backend };
    };
    const { requestState } = (await del()).body.result as Json;
    const confirmed = { inputResponses: { confirm: { action: 'accept', content: { confirm: true } } }, requestState };
    const first = await del(confirmed);
    expect(first.body.result).toMatchObject({ structuredContent: { deleted: true } });
    sandbox.store.applications.set(`admin/${name}`, base);
    const replay = await del(confirmed);
    expect(replay.backend).not.toBe(first.backend);
    expect(replay.body.error).toMatchObject({ code: -32602, data: { reason: 'request_state_reused' } });
    expect(sandbox.store.applications.has(`admin/${name}`)).toBe(true);
  });

  it('an answer forwarded from another credential does not complete someone else\'s delete', async () => {
    // A fleet of its own: every first sight of a credential spends the (shared) address allowance, and the
    // five-a-minute fleet above has spent it on this one loopback address.
    const fleet = await startFleet(sandbox, redis, { MCP_RATE_LIMIT_READS_PER_MINUTE: '100000', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
    try {
      const appToken = await sandbox.issueToken({ scope: 'read:application write:application', audience: [`${fleet.proxy.url}/mcp`] });
      const other = await sandbox.issueToken({ kind: 'user', user: 'built-in/admin', scope: 'read:application write:application', audience: [`${fleet.proxy.url}/mcp`] });
      const name = freshApp(sandbox);
      const init = { protocolVersion: '2025-11-25', capabilities: { elicitation: {} }, clientInfo: { name: 'raw', version: '0' } };
      expect((await fleet.post(rpc('initialize', init), { Authorization: `Bearer ${appToken}` })).status).toBe(200);
      // After initialize a client sends the negotiated MCP-Protocol-Version; capabilities are remembered per credential and client.
      const res = await fleet.post(call('delete_application', { id: `admin/${name}` }, 2), { Authorization: `Bearer ${appToken}`, 'MCP-Protocol-Version': '2025-11-25' });
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('elicitation/create')) text += (await reader.read()).value ?? '';
      const question = JSON.parse(/data: (.*)/.exec(text)![1]!) as Json;
      expect(question.id).toMatch(/^[0-9a-f]{12}:\d+$/);
      // Both instances get the intruder's answer in turn; neither may deliver it.
      for (let i = 0; i < 2; i += 1) {
        expect((await fleet.post({ jsonrpc: '2.0', id: question.id, result: { action: 'accept', content: { confirm: true } } }, { Authorization: `Bearer ${other}` })).status).toBe(202);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(sandbox.data.applications.has(`admin/${name}`)).toBe(true);
      await reader.cancel();
    } finally {
      await fleet.close();
    }
  });

  it('Redis stopped and started again mid-run: no 5xx, and the fleet shares state again by itself', async () => {
    const big = await startFleet(sandbox, redis, { MCP_RATE_LIMIT_READS_PER_MINUTE: '100000', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '100000' });
    try {
      const token = await sandbox.issueToken({ scope: 'read:application write:application', audience: [`${big.proxy.url}/mcp`] });
      const auth = { Authorization: `Bearer ${token}` };
      const requests = [rpc('tools/list'), call('get_application', { id: 'admin/acme-portal' }), call('update_application', { id: 'admin/acme-portal', application: { displayName: 'x' }, dry_run: true })];
      const statuses: number[] = [];
      const burst = async (n: number) => {
        for (let i = 0; i < n; i += 1) statuses.push((await big.post(requests[i % requests.length], auth)).status);
      };
      await burst(12);
      await redis.stop();
      await burst(24);
      await redis.start();
      const up = async () => {
        for (const s of big.servers) {
          const text = await (await fetch(`${s.origin}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
          if (!/^casdoor_mcp_shared_store_up 1$/m.test(text)) return false;
        }
        return true;
      };
      const deadline = Date.now() + 15_000;
      while (!(await up()) && Date.now() < deadline) await burst(3);
      expect(await up()).toBe(true);
      await burst(12);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(big.logs.some((l) => l.includes('shared store unreachable: degraded'))).toBe(true);
      expect(big.logs.some((l) => l.includes('shared store reachable again'))).toBe(true);
      // After the restart, answers cross instances again (the subscriptions came back).
      const { name, result } = await deleteThroughFleet(big, token, sandbox);
      expect(result.structuredContent).toMatchObject({ deleted: true, id: `admin/${name}` });
    } finally {
      await big.close();
    }
  }, 60_000);
});

describeFleet('a fleet: what a call costs on Redis', () => {
  const f = fleetFixture({});

  it('a read tool costs one Redis command (its rate limit); only a write tool looks up whether its client can be asked', async () => {
    const { sandbox, redis, fleet } = f;
    const probe = new Redis(redis.url);
    // GET is the capability lookup's command; nothing else on a tools/call path issues one.
    const gets = async () => Number(/cmdstat_get:calls=(\d+)/.exec(await probe.info('commandstats'))?.[1] ?? 0);
    const token = await sandbox.issueToken({ scope: 'read:application write:application', audience: [`${fleet.proxy.url}/mcp`] });
    const headers = { Authorization: `Bearer ${token}`, 'MCP-Protocol-Version': '2025-11-25' };
    expect((await fleet.post(rpc('initialize', { protocolVersion: '2025-11-25', capabilities: { elicitation: {} }, clientInfo: { name: 'raw', version: '0' } }), headers)).status).toBe(200);
    try {
      const before = await gets();
      const read = (await (await fleet.post(call('get_application', { id: 'admin/acme-portal' }), headers)).json()) as Json;
      expect(read.result?.structuredContent?.application?.name, JSON.stringify(read).slice(0, 300)).toBe('acme-portal');
      expect(await gets()).toBe(before);
      await fleet.post(call('delete_application', { id: 'admin/acme-portal', dry_run: true }), headers);
      expect(await gets()).toBe(before + 1);
    } finally {
      probe.disconnect();
    }
  });
});
