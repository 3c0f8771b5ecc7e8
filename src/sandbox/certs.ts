// Certificates: controllers/cert.go. get-certs?owner=<org> answers the organization's certificates
// and the global ones (owner admin), private keys included, to that organization's admin: so any
// organization admin holds the key of admin/cert-built-in, which signs every token (measured).
import type { Hono } from 'hono';
import type { AppEnv, SandboxContext } from './context.js';
import { fail, ok } from './envelope.js';
import { route } from './routes.js';

export function registerCerts(app: Hono<AppEnv>, ctx: SandboxContext): void {
  route(app, ctx.routes, 'GET', '/api/get-certs', { shape: 'list' }, (c) => {
    const owner = c.req.query('owner') ?? '';
    const rows = [...ctx.store.certs.values()].filter((cert) => cert.owner === owner || cert.owner === 'admin');
    return c.json(ok(rows.map((cert) => ({ ...cert }))));
  });
  route(app, ctx.routes, 'GET', '/api/get-cert', { shape: 'one' }, (c) => {
    const cert = ctx.store.certs.get(c.req.query('id') ?? '');
    return cert ? c.json(ok({ ...cert })) : c.json(fail(`The cert: ${c.req.query('id') ?? ''} does not exist`));
  });
}
