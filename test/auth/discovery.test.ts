import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

describe('an external OAuth client walks the discovery flow with the SDK auth provider', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  function provider(scope: string) {
    return new ClientCredentialsProvider({
      clientId: h.sandbox.demo.clientId,
      clientSecret: h.sandbox.demo.clientSecret,
      expectedIssuer: h.server.issuer,
      scope,
    });
  }

  it('serves Protected Resource Metadata at the root and the path-suffixed URLs', async () => {
    const origin = new URL(h.url).origin;
    for (const [path, resource] of [
      ['/.well-known/oauth-protected-resource', h.url],
      ['/.well-known/oauth-protected-resource/mcp', h.url],
      ['/.well-known/oauth-protected-resource/api/mcp', `${origin}/api/mcp`],
    ] as const) {
      const res = await fetch(origin + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(await res.json()).toEqual({
        resource,
        authorization_servers: [h.server.issuer],
        // Changed on purpose (issue 14): every family's scopes.
        scopes_supported: ['application', 'user', 'organization', 'role', 'permission', 'provider', 'token', 'group'].flatMap((f) => [`read:${f}`, `write:${f}`]),
        bearer_methods_supported: ['header'],
        resource_name: 'Casdoor MCP server',
        resource_documentation: `${origin}/`,
      });
    }
  });

  it('401, then PRM, then a client_credentials token from the sandbox, then the retried call succeeds', async () => {
    const auth = provider('read:application');
    const seen: string[] = [];
    const client = new Client({ name: 'discovery', version: '0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(h.url), {
        authProvider: auth,
        fetch: async (url, init) => {
          const res = await fetch(url, init);
          seen.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname} ${res.status}`);
          return res;
        },
      }),
    );
    expect(auth.tokens()).toBeUndefined(); // discovery is open: initialize needed no token
    const r = await client.callTool({ name: 'get_application', arguments: { id: 'admin/acme-portal' } });
    expect(r.isError).toBeFalsy();
    expect(auth.tokens()?.scope).toBe('read:application');
    const flow = seen.slice(seen.indexOf('POST /mcp 401'));
    expect(flow).toEqual([
      'POST /mcp 401',
      'GET /.well-known/oauth-protected-resource/mcp 200',
      'GET /.well-known/oauth-authorization-server 200',
      'POST /api/login/oauth/access_token 200',
      'POST /mcp 200',
    ]);
    await client.close();
  });

  it('a 403 insufficient_scope makes the SDK client step up: it asks Casdoor for exactly the missing scope', async () => {
    // An interactive client (authorization code): the SDK builds the authorization URL from the 403 challenge.
    let tokens: OAuthTokens | undefined = { access_token: await h.token('read:application'), token_type: 'Bearer' };
    let authorizationUrl: URL | undefined;
    const interactive: OAuthClientProvider = {
      get redirectUrl() {
        return 'http://127.0.0.1:1/callback';
      },
      get clientMetadata() {
        return { redirect_uris: ['http://127.0.0.1:1/callback'], client_name: 'step-up test' };
      },
      clientInformation: () => ({ client_id: h.sandbox.demo.clientId, issuer: h.server.issuer }),
      tokens: () => tokens,
      saveTokens: (t) => {
        tokens = t;
      },
      redirectToAuthorization: (url) => {
        authorizationUrl = url;
      },
      saveCodeVerifier: () => undefined,
      codeVerifier: () => 'verifier',
    };
    const client = new Client({ name: 'step-up', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(h.url), { authProvider: interactive }));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['whoami', 'get_applications', 'get_application']);
    await expect(client.callTool({ name: 'add_application', arguments: { application: { name: 'stepped-up', organization: 'acme' } } })).rejects.toThrow(
      UnauthorizedError,
    );
    expect(authorizationUrl?.searchParams.get('scope')).toBe('write:application');
    expect(authorizationUrl?.searchParams.get('resource')).toBe(h.url);
    expect(authorizationUrl?.searchParams.get('client_id')).toBe(h.sandbox.demo.clientId);
    expect(h.sandbox.data.applications.has('admin/stepped-up')).toBe(false);
    // Once the user grants it, the same call goes through.
    tokens = { access_token: await h.token('write:application'), token_type: 'Bearer' };
    const retried = await client.callTool({ name: 'add_application', arguments: { application: { name: 'stepped-up', organization: 'acme' } } });
    expect(retried.isError).toBeFalsy();
    expect(h.sandbox.data.applications.has('admin/stepped-up')).toBe(true);
    await client.close();
  });
});
