// Certificates: controllers/cert.go. get-certs?owner=<org> answers the organization's certificates
// and the global ones (owner admin), private keys included, to that organization's admin: so any
// organization admin holds the key of admin/cert-built-in, which signs every token (measured).
import type { Hono } from 'hono';
import type { AppEnv, SandboxContext } from './context.js';
import { fail, ok } from './envelope.js';

export function registerCerts(app: Hono<AppEnv>, ctx: SandboxContext): void {
  app.get('/api/get-certs', (c) => {
    const owner = c.req.query('owner') ?? '';
    const rows = [...ctx.store.certs.values()].filter((cert) => cert.owner === owner || cert.owner === 'admin');
    return c.json(ok(rows.map((cert) => ({ ...cert }))));
  });
  app.get('/api/get-cert', (c) => {
    const cert = ctx.store.certs.get(c.req.query('id') ?? '');
    return cert ? c.json(ok({ ...cert })) : c.json(fail(`The cert: ${c.req.query('id') ?? ''} does not exist`));
  });
}
