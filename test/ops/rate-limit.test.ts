import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/ops/rate-limit.js';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;

describe('the rate limiter', () => {
  it('allows a minute\'s allowance at once, then one request per 60/limit seconds', () => {
    let t = 1_000_000;
    const limiter = createRateLimiter({ readsPerMinute: 3, writesPerMinute: 1, now: () => t });
    expect([1, 2, 3].map(() => limiter.take('a', 'read'))).toEqual([undefined, undefined, undefined]);
    expect(limiter.take('a', 'read')).toEqual({ kind: 'read', limit: 3, retryAfterSeconds: 20 });
    t += 19_000;
    expect(limiter.take('a', 'read')?.retryAfterSeconds).toBe(1);
    t += 1_000;
    expect(limiter.take('a', 'read')).toBeUndefined();
    // Kinds and keys are counted apart.
    expect(limiter.take('a', 'write')).toBeUndefined();
    expect(limiter.take('a', 'write')).toMatchObject({ kind: 'write', retryAfterSeconds: 60 });
    expect(limiter.take('b', 'read')).toBeUndefined();
  });

  it('0 disables a limit', () => {
    const limiter = createRateLimiter({ readsPerMinute: 0, writesPerMinute: 0 });
    for (let i = 0; i < 1000; i++) expect(limiter.take('a', i % 2 ? 'read' : 'write')).toBeUndefined();
    expect(limiter.size).toBe(0);
  });

  it('keeps memory bounded: idle buckets go, and never more than maxKeys', () => {
    let t = 0;
    const limiter = createRateLimiter({ readsPerMinute: 10, writesPerMinute: 10, maxKeys: 100, now: () => t });
    for (let i = 0; i < 5000; i++) limiter.take(`k${i}`, 'read');
    expect(limiter.size).toBeLessThanOrEqual(100);
    t += 61_000;
    for (let i = 0; i < 1000; i++) limiter.take('busy', 'read');
    expect(limiter.size).toBe(1);
    // The busy caller is still limited after all that churn.
    expect(limiter.take('busy', 'read')).toBeDefined();
  });
});

describe('rate limits at the HTTP edge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_READS_PER_MINUTE: '5', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '2' });
  });
  afterAll(() => h.close());

  const noop = () => call('delete_application', { id: 'admin/acme-api' }); // a write that changes nothing without confirm

  it('answers 429 with Retry-After and -32015 once a subject has used its writes, whatever token it brings', async () => {
    const first = { Authorization: `Bearer ${await h.token('admin')}` };
    expect((await h.post(noop(), first)).status).toBe(200);
    expect((await h.post(noop(), first)).status).toBe(200);
    const limited = await h.post(noop(), { ...first, 'X-Request-Id': 'rl-write' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32015, message: 'rate_limited', data: { kind: 'write', limit_per_minute: 2 } } });
    // A new token for the same subject shares the bucket.
    const second = { Authorization: `Bearer ${await h.token('write')}` };
    expect((await h.post(noop(), second)).status).toBe(429);
    // Reads are counted apart; another subject has its own allowance.
    expect((await h.post(call('get_application', { id: 'admin/acme-api' }), first)).status).toBe(200);
    const alice = { Authorization: `Bearer ${await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'admin', audience: [h.url] })}` };
    expect((await h.post(call('delete_application', { id: 'admin/acme-portal' }), alice)).status).toBe(200);
    // A bad credential is still a 401, never a 429.
    expect((await h.post(noop(), { Authorization: 'Bearer not.a.token' })).status).toBe(401);
    expect(h.logs.find((l) => l.audit && l.requestId === 'rl-write')).toMatchObject({ level: 40, outcome: 'rate_limited', httpStatus: 429, rpcCode: -32015 });
  });

  it('limits reads too, and anonymous callers by address: a forged X-Forwarded-For does not help', async () => {
    // The address's allowance is also what resolving new credentials spends: start from a fresh one.
    const fresh = await startHarness({ MCP_RATE_LIMIT_READS_PER_MINUTE: '5' });
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 7; i++) statuses.push((await fresh.post(rpc('tools/list'), { 'X-Forwarded-For': `10.0.0.${i}` })).status);
    } finally {
      await fresh.close();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // Health checks are never limited.
    for (let i = 0; i < 10; i++) expect((await fetch(new URL('/healthz', h.url))).status).toBe(200);
  });
});

describe('rate limits behind a trusted proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_READS_PER_MINUTE: '2', MCP_TRUST_PROXY: 'true' });
  });
  afterAll(() => h.close());

  it('keys anonymous callers by the last X-Forwarded-For entry, the one the proxy appended', async () => {
    const as = (chain: string) => h.post(rpc('tools/list'), { 'X-Forwarded-For': chain });
    expect([(await as('203.0.113.7')).status, (await as('203.0.113.7')).status, (await as('203.0.113.7')).status]).toEqual([200, 200, 429]);
    // The client controls everything before the proxy's entry: prepending does not make a new caller.
    expect((await as('1.2.3.4, 203.0.113.7')).status).toBe(429);
    expect((await as('203.0.113.8')).status).toBe(200);
    const body = (await (await as('203.0.113.7')).json()) as Json;
    expect(body.error.data.kind).toBe('read');
  });
});
