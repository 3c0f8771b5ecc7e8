// The recorded Casdoor's world in a sandbox: its organizations, applications and users exactly as
// the global admin read them in the recording (secrets and passwords replaced by fresh ones),
// in the recording's storage order, plus a signed-in session per recorded cookie caller.
import { randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { APPLICATION, decode, ORGANIZATION, USER, type Schema } from '../../src/sandbox/schema.js';
import { loadFixture } from './replay.js';

export interface ContractWorld {
  url: string;
  sandbox: Sandbox;
  password: string;
  secretOf(app: string): string;
  sessionOf(user: string): string;
  stop(): Promise<void>;
}

type Rec = Record<string, unknown>;

function dataOf(fixture: string, step: number): unknown {
  const body = loadFixture(fixture).exchanges[step]?.response.body as { data?: unknown } | undefined;
  if (!body || body.data === undefined) throw new Error(`${fixture}: exchange ${step} has no data`);
  return body.data;
}

function row(s: Schema, recorded: Rec, overrides: Rec): Rec {
  const decoded = decode(s, { ...recorded, ...overrides });
  if (!decoded.ok) throw new Error(`contract world: ${decoded.error}`);
  return decoded.value;
}

const SESSION_USERS: Record<string, string> = { admin: 'built-in/admin', alice: 'acme/alice', bob: 'acme/bob' };

export async function startContractWorld(): Promise<ContractWorld> {
  const sandbox = await startSandbox();
  const { store } = sandbox;
  const password = 'rec-contract-password';
  for (const table of [store.organizations, store.applications, store.users, store.sessions]) table.clear();

  for (const org of dataOf('orgs-get-organizations', 0) as Rec[]) {
    store.organizations.set(`${String(org.owner)}/${String(org.name)}`, row(ORGANIZATION, org, {}) as never);
  }
  const secrets = new Map<string, string>();
  for (const app of dataOf('apps-get-applications', 0) as Rec[]) {
    const secret = randomBytes(20).toString('hex');
    secrets.set(String(app.name), secret);
    store.applications.set(`admin/${String(app.name)}`, row(APPLICATION, app, { clientSecret: secret }) as never);
  }
  const users = [dataOf('users-get-account', 0) as Rec, ...(dataOf('users-get-users', 0) as Rec[])];
  for (const user of users) {
    store.users.set(`${String(user.owner)}/${String(user.name)}`, row(USER, user, { password }) as never);
  }
  const sessions = new Map<string, string>();
  for (const [label, user] of Object.entries(SESSION_USERS)) {
    const id = randomBytes(16).toString('hex');
    store.sessions.set(id, { id, user, scope: '', aud: '', accessToken: '', createdAt: Date.now() });
    sessions.set(label, id);
  }
  return {
    url: sandbox.url,
    sandbox,
    password,
    secretOf(app) {
      const live = sandbox.data.applications.get(`admin/${app}`);
      return String(live?.clientSecret ?? secrets.get(app) ?? `unknown-app-${app}`);
    },
    sessionOf(user) {
      return sessions.get(user) ?? `unknown-session-${user}`;
    },
    stop: () => sandbox.stop(),
  };
}
