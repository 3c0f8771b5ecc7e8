import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

describe('/healthz and /readyz', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ MCP_READINESS_CACHE_SECONDS: '0' });
  });
  afterAll(() => h.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, h.url), { headers });

  it('/healthz is 200 while the process runs, even with Casdoor down, and needs no Origin check or credentials', async () => {
    h.sandbox.faults.down = true;
    try {
      const res = await get('/healthz', { Origin: 'https://evil.example' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    } finally {
      h.sandbox.faults.down = false;
    }
  });

  it('/readyz is 200 when Casdoor answers an authenticated call and the JWKS has keys', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready' });
    expect(h.sandbox.requests.some((r) => r.path === '/api/get-organization' && r.auth === 'basic')).toBe(true);
  });

  it('/readyz is 503 with the reason when Casdoor is down, when the JWKS is down, and when Casdoor refuses', async () => {
    h.sandbox.faults.down = true;
    try {
      const res = await get('/readyz');
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; reasons: string[] };
      expect(body.status).toBe('not_ready');
      expect(body.reasons).toEqual(['casdoor: casdoor_unreachable', 'jwks: jwks_unreachable']);
    } finally {
      h.sandbox.faults.down = false;
    }
    h.sandbox.faults.jwksDown = true;
    try {
      const body = (await (await get('/readyz')).json()) as { reasons: string[] };
      expect(body.reasons).toEqual(['jwks: jwks_http_error']);
    } finally {
      h.sandbox.faults.jwksDown = false;
    }
    h.sandbox.faults.envelopeError = 'Unauthorized operation';
    try {
      const body = (await (await get('/readyz')).json()) as { reasons: string[] };
      // A refused read as the server's own global-admin application: its credentials are wrong.
      expect(body.reasons).toEqual(['casdoor: casdoor_credentials']);
    } finally {
      h.sandbox.faults.envelopeError = null;
    }
    expect((await get('/readyz')).status).toBe(200);
  });
});

describe('/readyz caching', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(); // default: probe at most every 5 s
  });
  afterAll(() => h.close());

  it('probes Casdoor at most once per period however often it is asked', async () => {
    const probes = () => h.sandbox.requests.filter((r) => r.path === '/api/get-organization').length;
    const before = probes();
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(new URL('/readyz', h.url)).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(probes() - before).toBe(1);
  });
});
