import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { call, demoBasic } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterEach(() => {
  Object.assign(sb.faults, { down: false, delayMs: 0, status5xx: null, malformedJson: false, envelopeError: null, jwksDown: false, paths: {} });
});
afterAll(async () => {
  await sb.stop();
});

describe('faults', () => {
  it('are all off by default', () => {
    expect(sb.faults).toEqual({ down: false, delayMs: 0, status5xx: null, malformedJson: false, envelopeError: null, jwksDown: false, paths: {} });
  });

  it('down drops the connection and recovers when cleared', async () => {
    sb.faults.down = true;
    await expect(fetch(`${sb.url}/api/get-application?id=admin/app-built-in`)).rejects.toThrow();
    await expect(fetch(`${sb.url}/.well-known/jwks`)).rejects.toThrow();
    expect(sb.requests.at(-1)?.path).toBe('/.well-known/jwks');
    sb.faults.down = false;
    const res = await call(sb, '/api/get-application?id=admin/app-built-in');
    expect(res.json.status).toBe('ok');
  });

  it('delayMs holds every answer', async () => {
    sb.faults.delayMs = 150;
    const started = Date.now();
    await call(sb, '/.well-known/openid-configuration');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('status5xx answers /api/* with a plain-text status', async () => {
    sb.faults.status5xx = 502;
    const res = await call(sb, '/api/get-organizations?owner=admin', { basic: demoBasic(sb) });
    expect(res.status).toBe(502);
    expect(res.json).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await call(sb, '/.well-known/jwks')).status).toBe(200);
  });

  it('malformedJson sends a truncated JSON body with HTTP 200', async () => {
    sb.faults.malformedJson = true;
    const res = await call(sb, '/api/get-applications?owner=admin', { basic: demoBasic(sb) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(() => JSON.parse(res.text)).toThrow();
  });

  it('envelopeError answers data endpoints with a Casdoor error envelope', async () => {
    sb.faults.envelopeError = 'database is locked';
    const res = await call(sb, '/api/get-applications?owner=admin', { basic: demoBasic(sb) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'error', msg: 'database is locked', data: null });
    const token = await call(sb, '/api/login/oauth/access_token', { form: { grant_type: 'client_credentials' }, basic: demoBasic(sb) });
    expect(token.json.token_type).toBe('Bearer');
  });

  it('jwksDown answers the JWKS with 503 only', async () => {
    sb.faults.jwksDown = true;
    expect((await call(sb, '/.well-known/jwks')).status).toBe(503);
    expect((await call(sb, '/.well-known/openid-configuration')).status).toBe(200);
  });

  it('stop() closes idle keep-alive connections promptly', async () => {
    const other = await startSandbox();
    await fetch(`${other.url}/.well-known/jwks`).then((r) => r.text());
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(`${other.url}/.well-known/jwks`)).rejects.toThrow();
  });
});

describe('the request log', () => {
  it('keeps about requestLogLimit entries, newest last', async () => {
    const { startSandbox } = await import('../../src/sandbox/index.js');
    const sb = await startSandbox({ requestLogLimit: 20 });
    try {
      for (let i = 0; i < 60; i++) await fetch(`${sb.url}/api/get-application?id=admin/n-${i}`);
      expect(sb.requests.length).toBeLessThanOrEqual(22);
      expect(sb.requests.length).toBeGreaterThanOrEqual(20);
      expect(sb.requests.at(-1)!.query).toContain('n-59');
    } finally {
      await sb.stop();
    }
  });
});
