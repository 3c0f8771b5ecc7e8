import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { call, rpc } from '../support/harness.js';

/**
 * The same resource-server checks against an independent, standards-based authorization server
 * (oidc-provider with RFC 8707 resource indicators and RFC 9068 JWT access tokens), so the local
 * validation is shown to be generic; and a token that passes it is still nobody until Casdoor says whose it is.
 */
describe('tokens from an independent authorization server (oidc-provider)', () => {
  let sandbox: Sandbox;
  let server: RunningServer;
  let as: http.Server;
  let issuer: string;
  let mcpUrl = '';

  async function token(clientId: string, secret: string, resource: string, scope: string) {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
    });
    const json = (await res.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(JSON.stringify(json));
    return json.access_token;
  }
  const post = (body: unknown, token: string) =>
    fetch(mcpUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

  beforeAll(async () => {
    sandbox = await startSandbox();
    const key = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(key.privateKey)), kid: 'test-es256', alg: 'ES256', use: 'sig' };
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const rsaJwk = { ...(await exportJWK(rsa.privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' };
    as = http.createServer();
    await new Promise<void>((r) => as.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(as.address() as AddressInfo).port}`;
    const provider = new Provider(issuer, {
      jwks: { keys: [rsaJwk, jwk] },
      clients: [
        { client_id: 'writer', client_secret: 'writer-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
        { client_id: 'reader', client_secret: 'reader-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
      ],
      features: {
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => undefined,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => {
            if (resource === 'https://other-api.test/') return { scope: 'read:application write:application', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
            if (resource !== mcpUrl) throw new errors.InvalidTarget();
            return {
              scope: client.clientId === 'writer' ? 'read:application write:application' : 'read:application',
              audience: mcpUrl,
              accessTokenFormat: 'jwt',
              accessTokenTTL: 300,
              jwt: { sign: { alg: 'ES256' } },
            };
          },
        },
      },
    } as never);
    as.on('request', provider.callback());
    server = await startServer(
      loadConfig({
        HOST: '127.0.0.1',
        PORT: '0',
        CASDOOR_ENDPOINT: sandbox.url,
        CASDOOR_CLIENT_ID: sandbox.demo.clientId,
        CASDOOR_CLIENT_SECRET: sandbox.demo.clientSecret,
        CASDOOR_APPLICATION: sandbox.demo.application,
        CASDOOR_ISSUER: issuer,
        CASDOOR_JWKS_URL: `${issuer}/jwks`,
      }),
      pino({ level: 'silent' }),
    );
    mcpUrl = server.url;
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.stop();
    as?.closeAllConnections();
    await new Promise((r) => as?.close(r));
  });

  it('an RFC 9068 at+jwt token that passes every local check is still refused: Casdoor does not know it', async () => {
    const writer = await token('writer', 'writer-secret', mcpUrl, 'read:application write:application');
    const before = sandbox.requests.length;
    for (const message of [rpc('tools/list'), call('add_application', { application: { name: 'x', organization: 'acme' } }, 4)]) {
      const res = await post(message, writer);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const body = (await res.json()) as { error: { data: { reason: string } } };
      expect(body.error.data.reason).toMatch(/^Casdoor does not accept this token/);
    }
    // Only introspection was asked, once (the refusal is remembered briefly); nothing else.
    expect(sandbox.requests.slice(before).map((r) => r.path)).toEqual(['/api/login/oauth/introspect']);
  });

  it('a validly signed token for another resource (wrong aud) gets 401 invalid_token', async () => {
    const other = await token('writer', 'writer-secret', 'https://other-api.test/', 'read:application');
    const res = await post(rpc('tools/list'), other);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('a token from the sandbox (a different issuer and key) is refused here', async () => {
    const foreign = await sandbox.issueToken({ scope: 'admin', audience: [mcpUrl] });
    const res = await post(rpc('tools/list'), foreign);
    expect(res.status).toBe(401);
  });
});
