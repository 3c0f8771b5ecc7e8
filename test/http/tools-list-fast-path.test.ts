import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/auth/caller.js';
import { loadConfig } from '../../src/config.js';
import { createCore, type Core } from '../../src/main.js';
import { ExchangeTransport } from '../../src/mcp/exchange-transport.js';
import { rpc, startHarness, type Harness } from '../support/harness.js';

/** tools/list is answered at the HTTP edge from cached JSON: it must be exactly what the SDK Server says. */
describe('the tools/list fast path', () => {
  let h: Harness;
  let core: Core;
  const exchange = new ExchangeTransport();
  beforeAll(async () => {
    h = await startHarness();
    core = await createCore(loadConfig({}), pino({ level: 'silent' }));
    await core.mcp.connect(exchange);
  });
  afterAll(async () => {
    await core.close();
    await h.close();
  });

  async function fromServer(caller: Caller, id: number | string): Promise<string> {
    const reply = await exchange.request({ jsonrpc: '2.0', id, method: 'tools/list' }, { authInfo: { token: '', clientId: '', scopes: [], extra: { caller } } });
    return JSON.stringify(reply);
  }
  const tokenCaller = (scopes: string[]): Caller => ({
    kind: 'token',
    principal: { type: 'application', id: 'admin/x', name: 'x' },
    grantedScopes: scopes,
    scopes: new Set(scopes),
    clientId: 'x',
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  });

  it('answers anonymous callers with the bytes the SDK Server would send', async () => {
    for (const id of [1, 'str-id', 0]) {
      const res = await h.post(rpc('tools/list', undefined, id));
      expect(await res.text()).toBe(await fromServer({ kind: 'anonymous' }, id));
    }
  });

  it('answers a scoped token with the bytes the SDK Server would send for the same scopes', async () => {
    const token = await h.token('read:application read:user');
    const res = await h.post(rpc('tools/list', undefined, 7), { Authorization: `Bearer ${token}` });
    expect(await res.text()).toBe(await fromServer(tokenCaller(['read:application', 'read:user']), 7));
  });
});
