import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface Harness {
  server: RunningServer;
  sandbox: Sandbox;
  url: string;
  /** Every log line the server wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Raw log output, for "no secret anywhere" checks. */
  rawLogs(): string;
  /** A client_credentials token for the server's own app, from the sandbox's real token endpoint. */
  token(scope: string): Promise<string>;
  /** A user's token through the password grant. */
  userToken(username: string, password: string, scope: string): Promise<string>;
  /** A real MCP client over Streamable HTTP, with these headers on every request. */
  client(headers?: Record<string, string>): Promise<Client>;
  /**
   * How many Casdoor API calls the sandbox has received. "Nothing reached Casdoor" is asserted on this:
   * the verifier's key fetches (/.well-known/jwks) happen lazily and are not calls made for a request.
   */
  apiCalls(): number;
  /** One raw JSON-RPC POST to the MCP endpoint. */
  post(body: unknown, headers?: Record<string, string>, path?: string): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the real server in-process on an ephemeral loopback port, with the sandbox as its Casdoor. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const server = await startServer(loadConfig({ HOST: '127.0.0.1', PORT: '0', ...env }), logger);
  const sandbox = server.sandbox!;
  const clients: Client[] = [];

  async function grant(form: Record<string, string>): Promise<string> {
    const res = await fetch(sandbox.tokenEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${sandbox.demo.clientId}:${sandbox.demo.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams(form),
    });
    const json = (await res.json()) as { access_token?: string; error?: string };
    if (!json.access_token) throw new Error(`token request failed: ${JSON.stringify(json)}`);
    return json.access_token;
  }

  return {
    server,
    sandbox,
    url: server.url,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    rawLogs: () => lines.join('\n'),
    apiCalls: () => sandbox.requests.filter((r) => r.path.startsWith('/api/')).length,
    token: (scope) => grant({ grant_type: 'client_credentials', scope }),
    userToken: (username, password, scope) => grant({ grant_type: 'password', username, password, scope }),
    async client(headers = {}) {
      const client = new Client({ name: 'casdoor-mcp-tests', version: '0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    post(body, headers = {}, path = '/mcp') {
      return fetch(new URL(path, server.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await server.close();
    },
  };
}

export const rpc = (method: string, params?: unknown, id: number | string = 1) => ({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
export const call = (name: string, args: unknown, id: number | string = 1) => rpc('tools/call', { name, arguments: args }, id);
