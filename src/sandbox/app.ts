// Assembles the Hono app in Casdoor's filter order: log/faults, body, AutoSigninFilter,
// ApiFilter (+ FieldValidationFilter), then the controllers.
import { Hono } from 'hono';
import { registerAccounts } from './accounts.js';
import { registerCerts } from './certs.js';
import { registerFamilies } from './families/index.js';
import { registerAuthorize } from './authorize.js';
import { autoSignin } from './auth.js';
import { apiFilter, declareUnserved } from './authz.js';
import type { AppEnv, SandboxContext } from './context.js';
import { fail } from './envelope.js';
import { logAndFaults } from './faults.js';
import { registerOAuth } from './oauth.js';
import { decodeTraces, registerOtlp, type OtlpSpan } from './otlp.js';
import { decodeMetrics, type OtlpMetricPoint } from './otlp-metrics.js';
import { registerRecords } from './records.js';
import { registerDcr } from './register.js';
import { registerWellKnown } from './wellknown.js';

export function createApp(ctx: SandboxContext, spans: OtlpSpan[] = [], metrics: OtlpMetricPoint[] = []): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', logAndFaults(ctx));
  // Before the text body reader: OTLP bodies are binary.
  registerOtlp(app, 'traces', decodeTraces, spans);
  registerOtlp(app, 'metrics', decodeMetrics, metrics);
  app.use('*', async (c, next) => {
    c.set('raw', c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : await c.req.text());
    c.set('caller', '');
    c.set('session', undefined);
    return next();
  });
  app.use('/api/*', autoSignin(ctx));
  app.use('/api/*', apiFilter(ctx));
  declareUnserved(ctx.routes);
  registerOAuth(app, ctx);
  registerAuthorize(app, ctx);
  registerDcr(app, ctx);
  registerWellKnown(app, ctx);
  registerFamilies(app, ctx);
  registerCerts(app, ctx);
  registerAccounts(app, ctx);
  registerRecords(app, ctx);
  // beego answers an unknown route (or the wrong method) with its HTML 404 page.
  app.notFound((c) => c.html('<!DOCTYPE html>\n<html lang="en"><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>\n', 404));
  // Never leak a stack trace; Casdoor answers a panic with a bare 500 as well.
  app.onError((err, c) => c.json(fail(`Internal Server Error: ${err.message}`), 500));
  return app;
}
