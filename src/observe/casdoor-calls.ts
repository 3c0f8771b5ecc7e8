import type { CasdoorAdapter } from '../casdoor/adapter.js';
import { CasdoorError } from '../casdoor/errors.js';
import { currentScope } from '../ops/request-context.js';
import type { Metrics } from './metrics.js';
import type { Telemetry } from './telemetry.js';

/**
 * The adapter with each Casdoor call timed (metrics) and traced (a client span under the current
 * request's span). Returns the adapter itself when both are off, so nothing is added per call.
 */
export function observeAdapter(adapter: CasdoorAdapter, endpoint: string, telemetry: Telemetry, metrics: Metrics): CasdoorAdapter {
  if (!telemetry.enabled && !metrics.enabled) return adapter;
  const server = new URL(endpoint);
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return async (...args: unknown[]) => {
        const span = telemetry.startChild(currentScope()?.span, `casdoor ${prop}`, {
          'casdoor_mcp.casdoor.operation': prop,
          'server.address': server.hostname,
          'server.port': Number(server.port || (server.protocol === 'https:' ? 443 : 80)),
        }, 'client');
        const t0 = performance.now();
        try {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          metrics.casdoorCall(prop, 'ok', (performance.now() - t0) / 1000);
          span.end();
          return result;
        } catch (err) {
          const code = err instanceof CasdoorError ? err.code : 'error';
          metrics.casdoorCall(prop, code, (performance.now() - t0) / 1000);
          if (err instanceof CasdoorError && err.status !== undefined) span.setAttributes({ 'http.response.status_code': err.status });
          span.end(code);
          throw err;
        }
      };
    },
  });
}
