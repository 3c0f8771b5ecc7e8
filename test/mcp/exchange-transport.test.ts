import { describe, expect, it } from 'vitest';
import { ExchangeTransport } from '../../src/mcp/exchange-transport.js';

describe('ExchangeTransport', () => {
  it('answers a request the server never replies to with an error once the deadline passes, and cancels it', async () => {
    const t = new ExchangeTransport({ replyDeadlineMs: 50 });
    const seen: unknown[] = [];
    const errors: Error[] = [];
    t.onmessage = (m) => void seen.push(m); // a server that drops the message
    t.onerror = (e) => void errors.push(e);
    const started = Date.now();
    const reply = await t.request({ jsonrpc: '2.0', id: 'abc', method: 'tools/list' }, {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(reply).toEqual({ jsonrpc: '2.0', id: 'abc', error: { code: -32603, message: 'Internal error: the request got no reply in time' } });
    expect(seen).toContainEqual({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'no reply in time' } });
    expect(errors[0]?.message).toContain('no reply to tools/list');
    expect(t.inFlight).toBe(0);
  });

  it('restores the caller\'s id on a normal reply, and two callers with the same id never collide', async () => {
    const t = new ExchangeTransport({ replyDeadlineMs: 1_000 });
    t.onmessage = (m) => {
      const msg = m as { id?: number; method?: string };
      if (msg.id !== undefined) setTimeout(() => void t.send({ jsonrpc: '2.0', id: msg.id!, result: { internal: msg.id } }), 5 - msg.id);
    };
    const [a, b] = await Promise.all([
      t.request({ jsonrpc: '2.0', id: 1, method: 'ping' }, {}),
      t.request({ jsonrpc: '2.0', id: 1, method: 'ping' }, {}),
    ]);
    expect(a).toEqual({ jsonrpc: '2.0', id: 1, result: { internal: 1 } });
    expect(b).toEqual({ jsonrpc: '2.0', id: 1, result: { internal: 2 } });
  });

  it('drops a client notifications/cancelled: its ids mean nothing here and could cancel someone else', () => {
    const t = new ExchangeTransport();
    const seen: unknown[] = [];
    t.onmessage = (m) => void seen.push(m);
    t.notify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }, {});
    t.notify({ jsonrpc: '2.0', method: 'notifications/initialized' }, {});
    expect(seen).toEqual([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
  });
});

describe('ExchangeTransport and request signals', () => {
  it('leaves no abort listener behind once the request is answered', async () => {
    const { getEventListeners } = await import('node:events');
    const t = new ExchangeTransport();
    t.onmessage = (m) => {
      const msg = m as { id?: number };
      if (msg.id !== undefined) void t.send({ jsonrpc: '2.0', id: msg.id, result: {} });
    };
    const controller = new AbortController();
    await t.request({ jsonrpc: '2.0', id: 1, method: 'ping' }, {}, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
