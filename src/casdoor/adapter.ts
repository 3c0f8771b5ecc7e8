import { SDK } from 'casdoor-nodejs-sdk';
import { CasdoorError } from './errors.js';
import { createNodeAdapter } from './transport.js';
import type { CasdoorApplication, CasdoorFamily, CasdoorObject, CasdoorOrganization, CasdoorRecord, CasdoorUser, Page } from './types.js';

/**
 * The one module that imports casdoor-nodejs-sdk. Every call:
 * - authenticates as the server's own Casdoor application (Basic clientId:secret), except the
 *   session lookup, which sends the caller's cookie and nothing else;
 * - checks Casdoor's envelope ({status:"error"} arrives as HTTP 200) and "Unaffected" writes;
 * - copies its inputs, since the SDK's write methods mutate their argument;
 * - has a timeout and maps network failures to CasdoorError naming the endpoint.
 */
export interface CasdoorAdapter {
  listApplications(query: { organization?: string; page: number; pageSize: number }): Promise<Page<CasdoorApplication>>;
  getApplication(name: string): Promise<CasdoorApplication | null>;
  addApplication(app: CasdoorApplication): Promise<void>;
  /** Writes `app` over the row named `name`; only `columns` when given (Casdoor's columns parameter). */
  updateApplication(name: string, app: CasdoorApplication, columns?: readonly string[]): Promise<void>;
  deleteApplication(app: Pick<CasdoorApplication, 'owner' | 'name' | 'organization'>): Promise<void>;
  getOrganization(name: string): Promise<CasdoorOrganization | null>;
  getUser(owner: string, name: string): Promise<CasdoorUser | null>;
  /** One user of `owner` by email or by phone (Casdoor's get-user lookups); null when none matches. */
  findUser(owner: string, by: { email: string } | { phone: string }): Promise<CasdoorUser | null>;
  /** Users of one organization (every organization when `owner` is undefined), one page, with the total. */
  listUsers(query: { owner?: string; page: number; pageSize: number }): Promise<Page<CasdoorUser>>;
  addUser(user: CasdoorUser): Promise<void>;
  /**
   * Writes `user` over the user `owner/name`, only `columns` (Casdoor's column names, e.g. display_name).
   * Casdoor checks the whole body (display name, email and phone uniqueness, built-in/admin), so pass
   * the user as read with the changes applied; columns not listed are not written.
   */
  updateUser(owner: string, name: string, user: CasdoorUser, columns: readonly string[]): Promise<void>;
  deleteUser(user: Pick<CasdoorUser, 'owner' | 'name'>): Promise<void>;
  /**
   * One page of a family's objects (get-<plural>). `owner` "" lists every owner; `organization`
   * narrows tokens by their organization column. Casdoor's own controllers apply no more than that.
   */
  listObjects(family: CasdoorFamily, query: { owner: string; organization?: string; page: number; pageSize: number }): Promise<Page<CasdoorObject>>;
  /** One object by id "<owner>/<name>" (get-<family>); null when Casdoor has none. */
  getObject(family: CasdoorFamily, id: string): Promise<CasdoorObject | null>;
  addObject(family: CasdoorFamily, object: CasdoorObject): Promise<void>;
  /**
   * Writes `object` over the row `id` (update-<family>). Casdoor writes every column of these
   * families (AllCols), so pass the whole object as read with the changes applied.
   */
  updateObject(family: CasdoorFamily, id: string, object: CasdoorObject): Promise<void>;
  /** delete-<family> with the object as read, so Casdoor also removes what hangs on it (policy rows). */
  deleteObject(family: CasdoorFamily, object: CasdoorObject): Promise<void>;
  /** Resolves a casdoor_session_id cookie; null when Casdoor says it is not signed in. */
  getAccount(sessionCookie: string): Promise<CasdoorUser | null>;
  /** add-record (the SDK has no records calls): "Unaffected" (Casdoor dropped it) is a casdoor_unaffected error. */
  addRecord(record: CasdoorRecord): Promise<void>;
  /**
   * Who Casdoor says an access token belongs to: get-account with the token as Bearer and nothing
   * else, resolved by Casdoor's API filter from its token table. A user token answers the user; a
   * client_credentials token "The user: app/<name> doesn't exist", i.e. the application <name>; any
   * other refusal (unknown, expired, forbidden, DPoP proof missing) comes back as its message.
   */
  tokenAccount(token: string): Promise<{ user: CasdoorUser } | { application: string } | { refused: string }>;
  /**
   * RFC 7662 introspection of an access token, as the server's own client (Basic). `url` is the
   * discovery document's introspection_endpoint; default Casdoor's /api/login/oauth/introspect.
   */
  introspect(token: string, url?: string): Promise<{ active: boolean; [claim: string]: unknown }>;
}

export interface CasdoorAdapterOptions {
  endpoint: string;
  clientId: string;
  clientSecret: string;
  organization: string;
  application: string;
  timeoutMs: number;
}

interface Envelope {
  status: string;
  msg?: string;
  data?: unknown;
  data2?: unknown;
}

interface HttpLike {
  get(url: string, config?: object): Promise<{ data: unknown; status: number }>;
  post(url: string, data: unknown, config?: object): Promise<{ data: unknown; status: number }>;
}

/** Exposes the SDK's own request object (protected since 1.24.0) for what the SDK lacks. */
class CasdoorSdk extends SDK {
  get http(): HttpLike {
    return this.request as unknown as HttpLike;
  }
}

export function createCasdoorAdapter(options: CasdoorAdapterOptions): CasdoorAdapter {
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
  const sdkConfig = {
    endpoint: options.endpoint,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    certificate: '',
    orgName: options.organization,
    appName: options.application,
  };
  // node:http with keep-alive agents under axios (src/casdoor/transport.ts): no redirects followed.
  const transport = {
    timeout: options.timeoutMs,
    // axios's adapter type is axios's own (not a dependency of ours); the adapter reads only what transport.ts types.
    adapter: createNodeAdapter() as unknown as NonNullable<ConstructorParameters<typeof SDK>[1]>['adapter'],
    // The SDK merges axiosConfig shallowly, so these headers replace its Basic header: set it again.
    headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' },
  };
  const sdk = new CasdoorSdk(sdkConfig, transport);
  // No credentials at all: Casdoor writes any Basic/Bearer identity into the session behind a cookie
  // sent with it (casdoor.md §1.10), so the caller's cookie must travel alone.
  const cookieSdk = new CasdoorSdk(sdkConfig, { ...transport, headers: { Accept: 'application/json' } });

  // Casdoor does not refuse a wrong Basic secret: the call is simply anonymous. The server's own
  // application acts as a global admin, so a refused read or a masked answer means its credentials are wrong.
  const downgraded = (endpoint: string): CasdoorError =>
    new CasdoorError(
      'casdoor_credentials',
      `Casdoor answered ${endpoint} as it answers an anonymous caller: the server's own Casdoor credentials ` +
        '(CASDOOR_CLIENT_ID / CASDOOR_CLIENT_SECRET) are wrong, since Casdoor ignores a wrong client secret instead of refusing it. ' +
        'The operator must fix them (casdoor-mcp check tests them)',
      endpoint,
    );

  async function call(method: 'GET' | 'POST', path: string, run: () => Promise<{ data: unknown }>): Promise<Envelope> {
    const endpoint = `${method} /api${path}`;
    let res: { data: unknown };
    try {
      res = await run();
    } catch (err) {
      throw translateError(err, endpoint, options.timeoutMs);
    }
    const body = res.data;
    if (!isEnvelope(body)) {
      throw new CasdoorError('casdoor_bad_response', `Casdoor answered ${endpoint} with something other than its JSON envelope`, endpoint);
    }
    if (body.status !== 'ok') {
      const msg = typeof body.msg === 'string' && body.msg ? body.msg : 'unspecified error';
      if (method === 'GET' && ANONYMOUS_REFUSALS.has(msg)) throw downgraded(endpoint);
      throw new CasdoorError('casdoor_rejected', `Casdoor refused ${endpoint}: ${msg}`, endpoint);
    }
    return body;
  }

  async function write(path: string, run: () => Promise<{ data: unknown }>): Promise<void> {
    const env = await call('POST', path, run);
    if (env.data !== 'Affected') {
      throw new CasdoorError(
        'casdoor_unaffected',
        `Casdoor changed nothing for POST /api${path} (it answers "Unaffected" when nothing matched or the object already exists)`,
        `POST /api${path}`,
      );
    }
  }

  const copy = <T>(v: T): T => structuredClone(v);

  return {
    async listApplications({ organization, page, pageSize }) {
      // get-applications ignores `organization` once paginated (casdoor.md §2.2), so an
      // organization filter goes through get-organization-applications, which honours both.
      const env = organization
        ? await call('GET', '/get-organization-applications', () =>
            sdk.http.get('/get-organization-applications', { params: { owner: 'admin', organization, p: page, pageSize } }),
          )
        : await call('GET', '/get-applications', () =>
            sdk.http.get('/get-applications', { params: { owner: 'admin', p: page, pageSize } }),
          );
      return pageOf(env, page, pageSize) as Page<CasdoorApplication>;
    },
    async getApplication(name) {
      const env = await call('GET', '/get-application', () => sdk.getApplication(name));
      if (!isObject(env.data)) return null;
      if (env.data.clientSecret === '***') throw downgraded('GET /api/get-application');
      return env.data as CasdoorApplication;
    },
    async addApplication(app) {
      await write('/add-application', () => sdk.addApplication(copy(app) as never));
    },
    async updateApplication(name, app, columns) {
      const params: Record<string, string> = { id: `admin/${name}` };
      let body: Record<string, unknown> = copy(app);
      if (columns && columns.length > 0) {
        params.columns = columns.join(',');
        // Casdoor writes the listed columns AND every non-empty field of the body (xorm MustCols), so a
        // full body read earlier would overwrite concurrent changes. Send only the columns, plus what
        // Casdoor reads to identify and check the row: an absent name would rename it to "".
        body = { owner: app.owner, name: app.name, organization: app.organization, clientId: app.clientId };
        for (const column of columns) body[column] = copy(app[column]);
      }
      await write('/update-application', () => sdk.http.post('/update-application', body, { params }));
    },
    async deleteApplication(app) {
      await write('/delete-application', () => sdk.deleteApplication(copy(app) as never));
    },
    async getOrganization(name) {
      const env = await call('GET', '/get-organization', () => sdk.getOrganization(name));
      return isObject(env.data) ? (env.data as CasdoorOrganization) : null;
    },
    async getUser(owner, name) {
      const env = await call('GET', '/get-user', () => sdk.http.get('/get-user', { params: { id: `${owner}/${name}` } }));
      return isObject(env.data) ? (env.data as CasdoorUser) : null;
    },
    async findUser(owner, by) {
      const env = await call('GET', '/get-user', () => sdk.http.get('/get-user', { params: { owner, ...by } }));
      return isObject(env.data) ? (env.data as CasdoorUser) : null;
    },
    async listUsers({ owner, page, pageSize }) {
      const env = await call('GET', '/get-users', () => sdk.http.get('/get-users', { params: { owner: owner ?? '', p: page, pageSize } }));
      return pageOf(env, page, pageSize) as Page<CasdoorUser>;
    },
    // The SDK's user writes overwrite user.owner with the server's own organization, so they cannot
    // reach other organizations' users: its request object is used directly instead.
    async addUser(user) {
      await write('/add-user', () => sdk.http.post('/add-user', copy(user), { params: { id: `${user.owner}/${user.name}` } }));
    },
    async updateUser(owner, name, user, columns) {
      // Without columns Casdoor writes its default column list from the body: never do that here.
      if (columns.length === 0) throw new Error('updateUser needs the columns to write');
      const params: Record<string, string> = { id: `${owner}/${name}`, columns: columns.join(',') };
      // Casdoor refuses an empty display name unless told; an unchanged empty one is not the caller's doing.
      if (user.displayName === '') params.allowEmpty = 'true';
      await write('/update-user', () => sdk.http.post('/update-user', copy(user), { params }));
    },
    async deleteUser(user) {
      await write('/delete-user', () =>
        sdk.http.post('/delete-user', { owner: user.owner, name: user.name }, { params: { id: `${user.owner}/${user.name}` } }),
      );
    },
    async listObjects(family, { owner, organization, page, pageSize }) {
      const path = `/get-${PLURAL[family]}`;
      const params = { owner, ...(organization ? { organization } : {}), p: page, pageSize };
      const env = await call('GET', path, () => sdk.http.get(path, { params }));
      return pageOf(env, page, pageSize) as Page<CasdoorObject>;
    },
    async getObject(family, id) {
      const path = `/get-${family}`;
      try {
        const env = await call('GET', path, () => sdk.http.get(path, { params: { id } }));
        return isObject(env.data) ? (env.data as CasdoorObject) : null;
      } catch (err) {
        // get-token answers a missing id with an error ("The token: <id> does not exist").
        if (err instanceof CasdoorError && err.code === 'casdoor_rejected' && err.message.endsWith(`${id} does not exist`)) return null;
        throw err;
      }
    },
    async addObject(family, object) {
      const path = `/add-${family}`;
      await write(path, () => sdk.http.post(path, copy(object)));
    },
    async updateObject(family, id, object) {
      const path = `/update-${family}`;
      await write(path, () => sdk.http.post(path, copy(object), { params: { id } }));
    },
    async deleteObject(family, object) {
      const path = `/delete-${family}`;
      await write(path, () => sdk.http.post(path, copy(object)));
    },
    async addRecord(record) {
      await write('/add-record', () => sdk.http.post('/add-record', copy(record)));
    },
    async getAccount(sessionCookie) {
      const path = '/get-account';
      let res: { data: unknown };
      try {
        res = await cookieSdk.http.get(path, { headers: { Cookie: `casdoor_session_id=${sessionCookie}` } });
      } catch (err) {
        throw translateError(err, `GET /api${path}`, options.timeoutMs);
      }
      if (!isEnvelope(res.data)) {
        throw new CasdoorError('casdoor_bad_response', 'Casdoor answered GET /api/get-account with something other than its JSON envelope', `GET /api${path}`);
      }
      if (res.data.status !== 'ok' || !isObject(res.data.data)) return null;
      return res.data.data as CasdoorUser;
    },
    async tokenAccount(token) {
      const path = '/get-account';
      let res: { data: unknown };
      try {
        res = await cookieSdk.http.get(path, { headers: { Authorization: `Bearer ${token}` } });
      } catch (err) {
        throw translateError(err, `GET /api${path}`, options.timeoutMs);
      }
      if (!isEnvelope(res.data)) {
        throw new CasdoorError('casdoor_bad_response', 'Casdoor answered GET /api/get-account with something other than its JSON envelope', `GET /api${path}`);
      }
      if (res.data.status === 'ok' && isObject(res.data.data)) return { user: res.data.data as CasdoorUser };
      const msg = typeof res.data.msg === 'string' ? res.data.msg : '';
      const app = /^The user: app\/([^/\s]+) doesn't exist$/.exec(msg);
      return app ? { application: app[1]! } : { refused: msg || 'refused' };
    },
    async introspect(token, url) {
      const endpoint = 'POST /api/login/oauth/introspect';
      let res: { data: unknown };
      try {
        // An OAuth endpoint, not the REST API: a form body, and an answer without Casdoor's envelope.
        res = await sdk.http.post(url ?? '/login/oauth/introspect', new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(), {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
      } catch (err) {
        throw translateError(err, endpoint, options.timeoutMs);
      }
      if (!isObject(res.data) || typeof res.data.active !== 'boolean') {
        throw new CasdoorError('casdoor_bad_response', `Casdoor answered ${endpoint} without a boolean "active"`, endpoint);
      }
      return res.data as { active: boolean };
    },
  };
}

const PLURAL: Record<CasdoorFamily, string> = {
  organization: 'organizations', role: 'roles', permission: 'permissions', provider: 'providers', token: 'tokens', group: 'groups',
};

/** What Casdoor answers anonymous reads with (errors-catalogue.json of the recording). */
const ANONYMOUS_REFUSALS = new Set(['Unauthorized operation', 'Please login first', 'Please sign in first']);

/**
 * One page of a list. Casdoor clamps a page number past the end to the last page (measured), so
 * the same rows would come back again: a page that starts at or after the total is empty.
 */
function pageOf(env: Envelope, page: number, pageSize: number): Page<unknown> {
  const items = Array.isArray(env.data) ? env.data : [];
  const total = typeof env.data2 === 'number' ? env.data2 : items.length;
  if ((page - 1) * pageSize >= total) return { items: [], total };
  return { items, total };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEnvelope(v: unknown): v is Envelope {
  return isObject(v) && typeof v.status === 'string';
}

interface AxiosLikeError {
  isAxiosError?: boolean;
  code?: string;
  response?: { status: number };
}

function translateError(err: unknown, endpoint: string, timeoutMs: number): CasdoorError {
  const e = (err ?? {}) as AxiosLikeError;
  if (e.response) {
    return new CasdoorError('casdoor_http', `Casdoor answered ${endpoint} with HTTP ${e.response.status}`, endpoint, e.response.status, { cause: err });
  }
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') {
    return new CasdoorError('casdoor_timeout', `Casdoor did not answer ${endpoint} within ${timeoutMs} ms`, endpoint, undefined, { cause: err });
  }
  if (e.code === 'ERR_BAD_RESPONSE' || err instanceof SyntaxError) {
    return new CasdoorError('casdoor_bad_response', `Casdoor answered ${endpoint} with a body that is not JSON`, endpoint, undefined, { cause: err });
  }
  return new CasdoorError('casdoor_unreachable', `Casdoor could not be reached for ${endpoint}`, endpoint, undefined, { cause: err });
}
