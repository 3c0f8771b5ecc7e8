// Scope tricks: validly signed tokens whose scope claim tries to look like more than it is. Decision
// for each: the token is valid (a well-formed scope string grants exactly its space-separated tokens,
// matched exactly and case-sensitively, RFC 6749 §3.3), so tools/list hides what is not granted and
// tools/call gets 403 insufficient_scope; a scope claim that is not a string is a malformed token (401).
// The sandbox's token endpoint refuses undefined scopes (as Casdoor does), so these are signed directly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, rpc, startHarness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;
const READS = ['get_applications', 'get_application'];
const WRITES = ['add_application', 'update_application', 'delete_application'];

let h: Harness;
let prm: string;
beforeAll(async () => {
  h = await startHarness();
  prm = `${new URL(h.url).origin}/.well-known/oauth-protected-resource/mcp`;
});
afterAll(() => h?.close());

const mint = (scope: string | undefined, extraClaims: Record<string, unknown> = {}) => h.sandbox.issueToken({ scope, extraClaims });

async function listed(token: string): Promise<string[]> {
  const res = await h.post(rpc('tools/list'), { Authorization: `Bearer ${token}` });
  expect(res.status).toBe(200);
  return ((await res.json()) as Json).result.tools.map((t: Json) => t.name).filter((n: string) => [...READS, ...WRITES].includes(n));
}

/** tools/call of `tool` gets exactly the documented 403, and nothing reaches Casdoor. */
async function expectInsufficient(token: string, tool: string, granted: string[]): Promise<void> {
  const required = READS.includes(tool) ? 'read:application' : 'write:application';
  const args = tool === 'get_applications' ? {} : tool === 'add_application' ? { application: { name: 'scope-trick', organization: 'acme' } } : { id: 'admin/acme-portal' };
  const before = h.sandbox.requests.length;
  const res = await h.post(call(tool, args, 21), { Authorization: `Bearer ${token}` });
  expect(res.status, `${tool} with ${JSON.stringify(granted)}`).toBe(403);
  expect(res.headers.get('www-authenticate')).toBe(
    `Bearer error="insufficient_scope", scope="${required}", resource_metadata="${prm}", error_description="${tool} requires the ${required} scope"`,
  );
  expect(await res.json()).toEqual({
    jsonrpc: '2.0',
    id: 21,
    error: { code: -32001, message: 'insufficient_scope', data: { tool, granted_scopes: granted, required_scope: required } },
  });
  expect(h.sandbox.requests.slice(before)).toEqual([]);
}

async function expectGrantsNothing(token: string, granted: string[]): Promise<void> {
  expect(await listed(token)).toEqual([]);
  for (const tool of [...READS, ...WRITES]) await expectInsufficient(token, tool, granted);
}

describe('scope tricks: a valid token that grants nothing extra', () => {
  const nothing: [string, string][] = [
    ['a scope that contains the required one as a prefix', 'read:applications'],
    ['a scope that contains the required one as a suffix', 'xread:application'],
    ['a scope that extends the required one', 'read:application:write'],
    ['a prefix of the required scope', 'read:app'],
    ['upper case', 'READ:APPLICATION WRITE:APPLICATION'],
    ['mixed case', 'Read:Application Write:Application'],
    ['an alias in another case', 'Admin'],
    ['comma-separated scopes (one unknown token)', 'read:application,write:application'],
    ['tab-separated scopes (one unknown token: only spaces separate)', 'read:application\twrite:application'],
    ['newline-separated scopes', 'read:application\nwrite:application'],
    ['a plus sign instead of a space (form encoding left in)', 'read:application+write:application'],
    ['a wildcard', '*'],
    ['a scoped wildcard', 'read:* write:*'],
    ['an omnibus word', 'all full-access root'],
    ['a regular expression (Casdoor expands these at its token endpoint, not in tokens)', 'read:.* write:.*'],
  ];
  for (const [what, scope] of nothing) {
    it(`${what}: ${JSON.stringify(scope)}`, async () => {
      await expectGrantsNothing(await mint(scope), [scope.split(/ +/)].flat());
    });
  }

  it('extra spaces around and between scopes: tolerated, and grant exactly the named scopes', async () => {
    const token = await mint('  read:application   ');
    expect(await listed(token)).toEqual(READS);
    for (const tool of WRITES) await expectInsufficient(token, tool, ['read:application']);
    const res = await h.post(call('get_applications', { pageSize: 1 }), { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
  });

  it('the scope only in scp (string): scp is not read, so nothing is granted', async () => {
    await expectGrantsNothing(await mint(undefined, { scp: 'read:application write:application admin' }), []);
  });

  it('the scope only in scp (array): nothing is granted', async () => {
    await expectGrantsNothing(await mint(undefined, { scp: ['read:application', 'write:application'] }), []);
  });

  it('scope and scp disagree: only scope counts', async () => {
    const token = await mint('read:application', { scp: 'write:application' });
    expect(await listed(token)).toEqual(READS);
    await expectInsufficient(token, 'delete_application', ['read:application']);
  });

  it('an empty scope: nothing is granted', async () => {
    await expectGrantsNothing(await mint(undefined, { scope: '' }), []);
  });
});

describe('scope tricks: a scope claim that is not a string is a malformed token (401)', () => {
  for (const [what, scope] of [
    ['scope given as an array', ['read:application', 'write:application']],
    ['scope given as an object', { 'read:application': true }],
    ['scope given as a number', 1],
    ['scope given as true', true],
  ] as const) {
    it(what, async () => {
      const token = await mint(undefined, { scope });
      const before = h.sandbox.requests.length;
      for (const body of [call('get_applications', {}, 22), rpc('tools/list', undefined, 22)]) {
        const res = await h.post(body, { Authorization: `Bearer ${token}` });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe(
          `Bearer realm="casdoor-mcp", resource_metadata="${prm}", error="invalid_token", error_description="invalid scope claim"`,
        );
        expect(((await res.json()) as Json).error).toMatchObject({ code: -32011, message: 'invalid_token', data: { reason: 'invalid scope claim' } });
      }
      expect(h.sandbox.requests.slice(before)).toEqual([]);
    });
  }
});
