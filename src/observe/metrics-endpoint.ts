import { createHash, timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import type { Metrics } from './metrics.js';

const digest = (v: string): Buffer => createHash('sha256').update(v).digest();

/**
 * GET /metrics in Prometheus text. With `token`, only `Authorization: Bearer <token>` is answered
 * (compared in constant time); without one the route is meant for a port of its own.
 */
export function mountMetrics(app: Hono, metrics: Metrics, token: string | undefined): void {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  app.get('/metrics', async (c) => {
    if (expected) {
      const given = c.req.header('authorization');
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        c.header('WWW-Authenticate', 'Bearer realm="casdoor-mcp-metrics"');
        return c.json({ error: 'unauthorized', message: 'GET /metrics needs Authorization: Bearer <MCP_METRICS_TOKEN>' }, 401);
      }
    }
    const { contentType, body } = await metrics.render();
    c.header('Cache-Control', 'no-store');
    return c.body(body, 200, { 'Content-Type': contentType });
  });
}
