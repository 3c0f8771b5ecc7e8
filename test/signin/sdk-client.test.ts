// The SDK's own client OAuth (an OAuthClientProvider on the Streamable HTTP transport) signing in to
// the sandbox as an MCP client does by default: 401 -> Protected Resource Metadata -> authorization
// server metadata -> dynamic registration -> authorization code with PKCE and resource -> token whose
// aud is the MCP URL -> the tool call. The browser's part (sign-in, consent) is done over HTTP here;
// browser.test.ts does it with Chromium.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationFull, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { claims, consent, signIn } from './flow.js';

/** Everything a client keeps between runs, in memory; `authorizationUrl` is where it would open the browser. */
export class MemoryOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private info: OAuthClientInformationFull | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = '';
  constructor(readonly redirectUrl: string) {}
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'SDK client test', redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' };
  }
  clientInformation() { return this.info; }
  saveClientInformation(info: OAuthClientInformationFull) { this.info = info; }
  tokens() { return this.saved; }
  saveTokens(tokens: OAuthTokens) { this.saved = tokens; }
  redirectToAuthorization(url: URL) { this.authorizationUrl = url; }
  saveCodeVerifier(v: string) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('the SDK client signs in to the sandbox and calls a tool', () => {
  it('registers, signs in with PKCE and resource, and calls get_users as acme/alice', async () => {
    const provider = new MemoryOAuthProvider('http://127.0.0.1:45123/callback');
    const first = new Client({ name: 'sdk-oauth-test', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(h.url), { authProvider: provider });
    await first.connect(transport); // initialize needs no token (browsing is open)

    // The call gets 401; the SDK discovers, registers and sends the user to the sign-in page.
    await expect(first.callTool({ name: 'get_users', arguments: { owner: 'acme' } })).rejects.toThrow(UnauthorizedError);
    const url = provider.authorizationUrl!;
    expect(url.origin + url.pathname).toBe(`${h.sandbox.url}/login/oauth/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('resource')).toBe(h.url);
    expect(url.searchParams.get('scope')).toBe('read:user'); // from the 401's challenge
    const registered = provider.clientInformation()!;
    expect(h.sandbox.data.applications.list().some((a) => a.clientId === registered.client_id && (a.tags as string[]).includes('dcr'))).toBe(true);

    // The user signs in and allows; the browser lands on the client's redirect URI with the code.
    const page = await signIn(url.toString(), 'acme/alice', 'alice-pass');
    expect(page.consentHtml).toContain('Read users');
    const back = await consent(h.sandbox.url, page.ticket, 'allow');
    expect(back.location!.searchParams.get('state')).toBe(url.searchParams.get('state'));
    await transport.finishAuth(back.location!.searchParams.get('code')!);

    const token = provider.tokens()!;
    expect(claims(token.access_token)).toMatchObject({ aud: [h.url], owner: 'acme', name: 'alice', scope: 'read:user' });
    expect(token.refresh_token).toBeTruthy();

    // Connected again with the stored tokens, the call goes through as alice.
    const client = new Client({ name: 'sdk-oauth-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(h.url), { authProvider: provider }));
    const result = await client.callTool({ name: 'get_users', arguments: { owner: 'acme' } });
    expect(result.isError ?? false).toBe(false);
    expect(JSON.stringify(result.structuredContent)).toContain('"name":"bob"');
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get_user', 'get_users', 'whoami']);
    await client.close();
    await first.close();
  });
});
