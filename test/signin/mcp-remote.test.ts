// mcp-remote 0.15.1 signing in to the sandbox (dynamic registration, authorization code with PKCE and
// resource) and calling a tool. The user's part is done over HTTP here; browser.test.ts does it with
// Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { consent, signIn } from './flow.js';
import { startMcpRemote } from './mcp-remote.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('mcp-remote signs in to the sandbox', () => {
  it('a tool call triggers the sign-in; after it, the call is answered as the signed-in user', async () => {
    const remote = await startMcpRemote(h.url);
    try {
      const pending = remote.client.callTool({ name: 'whoami', arguments: {} });
      const url = new URL(await remote.authorizationUrl);
      expect(url.origin + url.pathname).toBe(`${h.sandbox.url}/login/oauth/authorize`);
      expect(url.searchParams.get('resource')).toBe(h.url);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      await remote.waitForLog(/OAuth callback server running/);
      const page = await signIn(url.toString(), 'acme/alice', 'alice-pass');
      const back = await consent(h.sandbox.url, page.ticket, 'allow');
      // The browser follows the redirect to mcp-remote's own callback server.
      // Its callback server listens on 127.0.0.1; a browser would try that for "localhost" too.
      const landed = await fetch(back.location!.toString().replace('//localhost:', '//127.0.0.1:'));
      expect(landed.status).toBe(200);
      const result = await pending.catch(async () => remote.client.callTool({ name: 'whoami', arguments: {} }));
      expect(JSON.stringify(result.structuredContent), remote.stderr()).toContain('"id":"acme/alice"');
      const users = await remote.client.callTool({ name: 'get_users', arguments: { owner: 'acme' } });
      expect(users.isError ?? false).toBe(false);
    } finally {
      await remote.close();
    }
  }, 90_000);
});
