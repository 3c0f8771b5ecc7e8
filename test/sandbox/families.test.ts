import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { call, demoBasic, type CallOptions } from './helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Exchange {
  step: string;
  caller: string;
  request: { method: 'GET' | 'POST'; path: string; query: Record<string, string>; body: unknown };
  response: { status: number; body: Json };
}

const transcript = (name: string): Exchange[] =>
  (JSON.parse(readFileSync(new URL(`../contract/fixtures/${name}.json`, import.meta.url), 'utf8')) as { exchanges: Exchange[] }).exchanges;

/**
 * The generic families of the sandbox (src/sandbox/families/) replayed against what a real Casdoor
 * 3.158 answered (recorded exchanges, copied into test/contract/fixtures): same request, same caller, in order, so the state
 * the recording built up is built up here too. Compared: HTTP status, envelope status and message,
 * "Affected"/"Unaffected", the keys of returned objects and where Casdoor answers null rather than [].
 * List contents differ on purpose (the sandbox has seed rows), so lists are compared by kind only.
 */
describe('sandbox families against recorded Casdoor answers', () => {
  let sb: Sandbox;
  const callers: Record<string, CallOptions> = {};

  beforeAll(async () => {
    sb = await startSandbox();
    callers.admin = { basic: demoBasic(sb) };
    callers.alice = { cookie: await sb.login('acme', 'alice', 'alice-pass') };
    callers.bob = { cookie: await sb.login('acme', 'bob', 'bob-pass') };
    callers.anonymous = {};
  });
  afterAll(() => sb.stop());

  // Objects the sandbox seeds (organizations) differ from the recording's in content, so only their keys are compared.
  let seeded = false;
  function sameShape(ours: unknown, theirs: unknown, where: string): void {
    if (theirs === null || typeof theirs !== 'object') {
      expect(ours, where).toEqual(theirs);
      return;
    }
    if (Array.isArray(theirs)) {
      expect(Array.isArray(ours), `${where}: a list`).toBe(true);
      return;
    }
    expect(Object.keys(ours as Json).sort(), `${where}: keys`).toEqual(Object.keys(theirs).sort());
    if (seeded) return;
    for (const [key, value] of Object.entries(theirs)) {
      if (value === null || (Array.isArray(value) && value.length === 0)) expect((ours as Json)[key], `${where}.${key}`).toEqual(value);
    }
  }

  const replayed = [
    'roles-get-roles', 'roles-crud-admin', 'roles-crud-alice', 'permissions-get-permissions', 'permissions-crud-admin',
    'permissions-crud-alice', 'groups-get-groups', 'orgs-get-organizations', 'orgs-get-organization', 'providers-get-providers',
  ];
  for (const name of replayed) {
    it(`${name}: every exchange answers as Casdoor did`, async () => {
      seeded = name.startsWith('orgs-');
      for (const ex of transcript(name)) {
        const query = new URLSearchParams(ex.request.query).toString();
        const res = await call(sb, `${ex.request.path}${query ? `?${query}` : ''}`, {
          ...callers[ex.caller],
          method: ex.request.method,
          ...(ex.request.body === null ? {} : { body: ex.request.body }),
        });
        const where = `${name} / ${ex.step}`;
        expect(res.status, where).toBe(ex.response.status);
        expect(res.json.status, `${where}: ${res.text}`).toBe(ex.response.body.status);
        expect(res.json.msg, where).toBe(ex.response.body.msg);
        expect(Object.keys(res.json).sort(), `${where}: envelope`).toEqual(Object.keys(ex.response.body).sort());
        sameShape(res.json.data, ex.response.body.data, `${where}: data`);
        if (ex.response.body.data2 === null) expect(res.json.data2, where).toBeNull();
        else if (typeof ex.response.body.data2 === 'number') expect(typeof res.json.data2, where).toBe('number');
      }
    });
  }

  it('tokens-get-tokens: the lists, the refusals and the missing token', async () => {
    for (const ex of transcript('tokens-get-tokens').slice(0, 7)) {
      const query = new URLSearchParams(ex.request.query).toString();
      const res = await call(sb, `${ex.request.path}${query ? `?${query}` : ''}`, {
        ...callers[ex.caller], method: ex.request.method, ...(ex.request.body === null ? {} : { body: ex.request.body }),
      });
      expect(res.json.status, ex.step).toBe(ex.response.body.status);
      expect(res.json.msg, ex.step).toBe(ex.response.body.msg);
      sameShape(res.json.data, ex.response.body.data, ex.step);
    }
  });

  it('delete-token needs the organization too, as Casdoor', async () => {
    await sb.issueToken({ kind: 'user', user: 'acme/alice', scope: 'profile' });
    const token = [...sb.store.tokens.values()].find((t) => t.organization === 'acme')!;
    const key = token.accessTokenHash;
    const without = await call(sb, '/api/delete-token', { ...callers.admin, body: { owner: 'admin', name: token.name } });
    expect(without.json.data).toBe('Unaffected');
    expect(sb.store.tokens.has(key)).toBe(true);
    const withOrg = await call(sb, '/api/delete-token', { ...callers.admin, body: { owner: 'admin', name: token.name, organization: 'acme' } });
    expect(withOrg.json.data).toBe('Affected');
    const after = await call(sb, `/api/get-token?id=admin/${token.name}`, callers.admin);
    expect(after.json.msg).toBe(`The token: admin/${token.name} does not exist`);
  });

  it('delete-token: the token\'s organization column says whose it is, so an organization admin deletes her own only', async () => {
    await sb.issueToken({ kind: 'user', user: 'acme/alice', scope: 'profile' });
    await sb.issueToken({ kind: 'user', user: 'globex/carol', scope: 'profile' });
    const of = (org: string) => sb.data.tokens.list().find((t) => t.organization === org)!;
    const globex = of('globex');
    const refused = await call(sb, '/api/delete-token', { ...callers.alice, body: { owner: 'admin', name: globex.name, organization: 'globex' } });
    expect(refused.json.msg).toBe('Unauthorized operation');
    expect(sb.data.tokens.get(`admin/${String(globex.name)}`)).toBeDefined();
    const acme = of('acme');
    const own = await call(sb, '/api/delete-token', { ...callers.alice, body: { owner: 'admin', name: acme.name, organization: 'acme' } });
    expect(own.json.data).toBe('Affected');
  });

  it('update-organization: an organization admin changes her own, not another; built-in keeps its name', async () => {
    const own = await call(sb, '/api/update-organization?id=admin/acme', { ...callers.alice, body: { ...sb.data.organizations.get('admin/acme'), displayName: 'Acme Ltd' } });
    expect(own.json.data).toBe('Affected');
    expect(sb.data.organizations.get('admin/acme')!.displayName).toBe('Acme Ltd');
    const other = await call(sb, '/api/update-organization?id=admin/globex', { ...callers.alice, body: { ...sb.data.organizations.get('admin/globex'), displayName: 'x' } });
    expect(other.json.msg).toBe('Unauthorized operation');
    const rename = await call(sb, '/api/update-organization?id=admin/built-in', { ...callers.admin, body: { ...sb.data.organizations.get('admin/built-in'), name: 'other' } });
    expect(rename.json.data).toBe('Affected');
    expect(sb.data.organizations.has('admin/built-in')).toBe(true);
    const del = await call(sb, '/api/delete-organization', { ...callers.admin, body: { owner: 'admin', name: 'built-in' } });
    expect(del.json.data).toBe('Unaffected');
  });

  it('providers: get-providers adds the global ones and masks secrets for all but global admins', async () => {
    const acme = await call(sb, '/api/get-providers?owner=acme', callers.alice);
    const names = (acme.json.data as Json[]).map((p) => `${p.owner}/${p.name}`).sort();
    expect(names).toEqual(['acme/acme-smtp', 'admin/provider_captcha_default', 'admin/provider_github']);
    expect((acme.json.data as Json[]).find((p) => p.name === 'acme-smtp')!.clientSecret).toBe('***');
    const asAdmin = await call(sb, '/api/get-provider?id=acme/acme-smtp', callers.admin);
    expect(asAdmin.json.data.clientSecret).toBe('smtp-password-acme');
    const back = await call(sb, '/api/update-provider?id=acme/acme-smtp', { ...callers.alice, body: { ...acme.json.data.find((p: Json) => p.name === 'acme-smtp'), host: 'mail2.acme.example.com' } });
    expect(back.json.data).toBe('Affected');
    const stored = (await call(sb, '/api/get-provider?id=acme/acme-smtp', callers.admin)).json.data;
    expect(stored).toMatchObject({ host: 'mail2.acme.example.com', clientSecret: 'smtp-password-acme' });
  });
});
