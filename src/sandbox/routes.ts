// Who may call each REST endpoint and where the owning organization of its object is read, declared
// by the module that serves it. Casdoor's authz filter reads both from the path; the sandbox is told.
import type { Hono } from 'hono';
import type { AppEnv, Ctx } from './context.js';

export interface Access {
  /** 'list' reads ?organization or ?owner; 'one' the ?id (else as a list); 'write' the ?id or the body. */
  shape: 'list' | 'one' | 'write';
  /** The column naming the owning organization: owner (default), organization (applications, tokens), name (organizations). */
  owner?: 'owner' | 'organization' | 'name';
  /** `p, *, *, <method>, <path>`: anyone may call it. */
  anyone?: boolean;
  /** A signed-in user may call it on himself (update-user; the controller then drops admin-only columns). */
  self?: boolean;
  /** A dynamically registered client may call it. */
  dcr?: boolean;
}

export type Method = 'GET' | 'POST' | '*';

/** The declared access of every route, looked up by the authz filter before any handler runs. */
export class RouteTable {
  private readonly exact = new Map<string, Access>();
  private readonly prefixes: Array<{ method: Method; prefix: string; access: Access }> = [];
  private readonly served = new Set<string>();

  /** A path ending in "/*" covers everything under it. */
  declare(method: Method, path: string, access: Access): void {
    if (path.endsWith('/*')) this.prefixes.push({ method, prefix: path.slice(0, -2), access });
    else this.exact.set(`${method} ${path}`, access);
  }

  find(method: string, path: string): Access | undefined {
    const hit = this.exact.get(`${method} ${path}`) ?? this.exact.get(`* ${path}`);
    if (hit) return hit;
    return this.prefixes.find((p) => (p.method === '*' || p.method === method) && (path === p.prefix || path.startsWith(`${p.prefix}/`)))?.access;
  }

  /** Marks a route as served by a handler (declared-only routes are Casdoor's policies for routes the sandbox lacks). */
  serve(method: 'GET' | 'POST', path: string): void {
    this.served.add(`${method} ${path}`);
  }

  /** Whether a handler answers this exact route: discovery advertises nothing else. */
  serves(method: 'GET' | 'POST', path: string): boolean {
    return this.served.has(`${method} ${path}`);
  }
}

/** Registers a handler and its access together, so no route is served without a declared rule. */
export function route(app: Hono<AppEnv>, routes: RouteTable, method: 'GET' | 'POST', path: string, access: Access, handler: (c: Ctx) => Response | Promise<Response>): void {
  routes.declare(method, path, access);
  routes.serve(method, path);
  if (method === 'GET') app.get(path, handler);
  else app.post(path, handler);
}
