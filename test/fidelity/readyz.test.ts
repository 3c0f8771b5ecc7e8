// Defect 15 of issue 12: anonymous /readyz returned Casdoor's raw error text (a database password
// error naming a private address) and the internal JWKS URL. It gives reason codes; the log has the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MCP_READINESS_CACHE_SECONDS: '0' });
});
afterAll(() => h?.close());

describe('/readyz tells anonymous callers reason codes only', () => {
  it('Casdoor\'s error text and the JWKS URL stay in the log', async () => {
    const leak = 'pq: password authentication failed for user "casdoor" (dial tcp 10.20.30.40:5432)';
    h.sandbox.faults.envelopeError = leak;
    h.sandbox.faults.jwksDown = true;
    try {
      const res = await fetch(new URL('/readyz', h.url));
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ status: 'not_ready', reasons: ['casdoor: casdoor_rejected', 'jwks: jwks_http_error'] });
      expect(text).not.toContain('10.20.30.40');
      expect(text).not.toContain('password');
      expect(text).not.toContain(h.sandbox.url);
      expect(text).not.toContain('jwks/');
      // The operator still learns what is wrong.
      expect(h.rawLogs()).toContain('10.20.30.40');
    } finally {
      h.sandbox.faults.envelopeError = null;
      h.sandbox.faults.jwksDown = false;
    }
  });
});
