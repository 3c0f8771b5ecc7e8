// A Casdoor (v3.158.0) compatible fake server for the demo mode and the test suite.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { performLogin } from './accounts.js';
import { createApp } from './app.js';
import { createData } from './data.js';
import type { OtlpSpan } from './otlp.js';
import type { OtlpMetricPoint } from './otlp-metrics.js';
import type { SandboxContext } from './context.js';
import { defaultFaults } from './faults.js';
import { KeyRing } from './keys.js';
import { RouteTable } from './routes.js';
import { loadSnapshot, removeSnapshot, restoreTables, saveSnapshot } from './persist.js';
import { createStore, DEMO_APP, DEMO_ORG, DEMO_PASSWORDS, getApplication, getOrganization } from './store.js';
import type { IssueTokenOptions, Sandbox, SandboxOptions, SandboxRequestLog, User } from './types.js';
import { randomHex } from './util.js';

export type {
  Application, Cert, IssueTokenOptions, Organization, Sandbox, SandboxAuthKind, SandboxFaults, SandboxOptions,
  SandboxRequestLog, SandboxStore, ScopeItem, SessionRecord, TokenRecord, User,
} from './types.js';
export { sha256Hex as hashToken } from './util.js';

// Resolves once the socket is bound, so `address()` holds the real (ephemeral) port.
function listen(app: ReturnType<typeof createApp>, hostname: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Hono's fetch is typed for HttpBindings only; node-server passes exactly that for HTTP/1.
    const fetch = app.fetch as Parameters<typeof serve>[0]['fetch'];
    // Go's default header limit is 1 MB: Casdoor accepts its own large JWT-format tokens as Bearer.
    const server = serve({ fetch, hostname, port, serverOptions: { maxHeaderSize: 1024 * 1024 } }, () => resolve(server as Server)) as Server;
    server.once('error', reject);
  });
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? Date.now;
  const dataDir = options.dataDir;
  if (dataDir && options.fresh) removeSnapshot(dataDir);
  const saved = dataDir ? loadSnapshot(dataDir) : undefined;
  const keys = saved ? await KeyRing.fromSaved(saved.keys) : await KeyRing.create();
  const store = createStore(keys, clock(), clock);
  // An organization-owned certificate: acme's admin can read its private key (and cert-built-in's).
  store.certs.set('acme/cert-acme', await keys.addCert('acme', 'cert-acme', clock() - 150_000));
  if (saved) restoreTables(store, saved);
  // The demo lets MCP clients register themselves (Casdoor's default for built-in is "disabled").
  else if (options.demo) getOrganization(store, 'built-in')!.dcrPolicy = 'open';
  const requests: SandboxRequestLog[] = [];
  let origin = options.origin ?? '';
  const ctx: SandboxContext = { store, keys, faults: defaultFaults(), requests, requestLogLimit: options.requestLogLimit ?? Infinity, records: [], clock, origin: () => origin, routes: new RouteTable() };
  const spans: OtlpSpan[] = [];
  const metrics: OtlpMetricPoint[] = [];
  const app = createApp(ctx, spans, metrics);
  const server = await listen(app, host, options.port ?? 0);
  // With a data folder, every change is saved shortly after the request that made it (and at stop).
  let saveTimer: NodeJS.Timeout | undefined;
  const save = (): void => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    if (dataDir) saveSnapshot(dataDir, keys, store);
  };
  if (dataDir) {
    save();
    server.on('request', (req, res) => {
      if (req.method === 'GET' || req.method === 'HEAD') return;
      res.once('finish', () => {
        saveTimer ??= setTimeout(save, 200);
        saveTimer.unref();
      });
    });
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!origin) origin = url.replace(/\/$/, '');
  const demoApp = getApplication(store, 'admin', DEMO_APP);
  if (!demoApp) throw new Error('sandbox seed is missing the demo application');

  const issueToken = async (opts: IssueTokenOptions): Promise<string> => {
    const kind = opts.kind ?? 'client_credentials';
    const appName = opts.application ?? DEMO_APP;
    const target = getApplication(store, 'admin', appName);
    if (!target) throw new Error(`issueToken: unknown application ${appName}`);
    let user: User | null = null;
    if (kind === 'user') {
      user = store.users.get(opts.user ?? '') ?? null;
      if (!user) throw new Error(`issueToken: unknown user ${opts.user ?? '(none)'}`);
    }
    const input = {
      app: target, user, scope: opts.scope ?? '', withRefresh: user !== null, issuer: opts.issuer ?? origin,
      audience: opts.audience, expiresInSeconds: opts.expiresInSeconds, notBeforeOffsetSeconds: opts.notBeforeOffsetSeconds,
      tokenFormat: opts.tokenFormat, dpopJkt: opts.dpopJkt,
      extraClaims: { ...(opts.tokenType ? { tokenType: opts.tokenType } : {}), ...opts.extraClaims },
    };
    // store: false is a token Casdoor never issued (a forgery with a key that verifies).
    if (opts.store === false) return store.tokens.sign(ctx, input);
    return (await store.tokens.issue(ctx, input)).accessToken;
  };

  const login = async (organization: string, username: string, password: string): Promise<string> => {
    const org = getOrganization(store, organization);
    const application = org?.defaultApplication
      || [...store.applications.values()].find((a) => a.organization === organization)?.name || '';
    const result = performLogin(ctx, { application, organization, username, password, type: 'login' });
    if ('error' in result) throw new Error(result.error);
    const sessionId = randomHex(16);
    store.sessions.set(sessionId, { id: sessionId, user: result.userId, scope: '', aud: '', accessToken: '', createdAt: clock() });
    return sessionId;
  };

  const stop = (): Promise<void> => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    if (dataDir) save();
  });

  return {
    url,
    issuer: origin,
    dataDir,
    tokenEndpoint: `${url}/api/login/oauth/access_token`,
    demo: {
      clientId: demoApp.clientId, clientSecret: demoApp.clientSecret, application: DEMO_APP, organization: DEMO_ORG,
      users: Object.entries(DEMO_PASSWORDS).map(([id, password]) => ({ id, password })),
    },
    faults: ctx.faults,
    requests,
    spans,
    metrics,
    records: ctx.records,
    data: createData(store),
    store,
    rotateKey: async () => {
      await keys.rotate();
      store.certs.set('admin/cert-built-in', keys.certRecord(clock()));
      if (dataDir) save();
    },
    addCert: async (owner, name, cryptoAlgorithm) => {
      const cert = await keys.addCert(owner, name, clock(), cryptoAlgorithm);
      store.certs.set(`${owner}/${name}`, cert);
      if (dataDir) save();
      return cert;
    },
    issueToken,
    login,
    stop,
  };
}
