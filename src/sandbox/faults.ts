// Request logging and fault injection, evaluated per request so tests can flip faults at runtime.
import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { classifyAuth } from './auth.js';
import type { AppEnv, SandboxContext } from './context.js';
import type { SandboxFaults } from './types.js';
import { sleep } from './util.js';

export function defaultFaults(): SandboxFaults {
  return { down: false, delayMs: 0, status5xx: null, malformedJson: false, envelopeError: null, jwksDown: false, paths: {} };
}

export function logAndFaults(ctx: SandboxContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    ctx.requests.push({
      method: c.req.method, path: url.pathname, query: url.search.replace(/^\?/, ''),
      auth: classifyAuth(c), at: ctx.clock(),
    });
    // A long-running demo must not keep every request: trim in batches, so most requests cost no copy.
    const limit = ctx.requestLogLimit;
    if (ctx.requests.length > limit + Math.ceil(limit / 10)) ctx.requests.splice(0, ctx.requests.length - limit);
    const f = ctx.faults;
    const path = url.pathname;
    const api = path.startsWith('/api/');
    if (f.down && (api || path.startsWith('/.well-known/'))) {
      // Drop the connection without an answer; the client sees a socket error.
      c.env.incoming.socket.destroy();
      return c.body(null, 503);
    }
    if (f.delayMs > 0) await sleep(f.delayMs);
    const only = f.paths[path];
    if (only?.delayMs) await sleep(only.delayMs);
    if (only?.status) return c.text(`sandbox fault: HTTP ${only.status}`, only.status as ContentfulStatusCode);
    if (only?.envelopeError) return c.json({ status: 'error', msg: only.envelopeError, sub: '', name: '', data: null, data2: null, data3: null });
    if (api && f.status5xx !== null) {
      return c.text(`sandbox fault: HTTP ${f.status5xx}`, f.status5xx as ContentfulStatusCode);
    }
    if (api && f.malformedJson) {
      return c.body('{"status":"ok","msg":"","sub":"","name":"","data":[{"owner":"admin","name":"app-bu', 200, {
        'content-type': 'application/json; charset=utf-8',
      });
    }
    if (api && f.envelopeError !== null && !path.startsWith('/api/login/oauth/')) {
      return c.json({ status: 'error', msg: f.envelopeError, sub: '', name: '', data: null, data2: null, data3: null });
    }
    if (f.jwksDown && /^\/\.well-known\/(.+\/)?jwks$/.test(path)) return c.text('Service Unavailable', 503);
    return next();
  };
}
