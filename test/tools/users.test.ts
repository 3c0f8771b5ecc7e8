import { createHash } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { bearer, cookie, mcpClient, rpcCodeOf, structured, text, type Json } from './helpers.js';

const READS = ['get_users', 'get_user'];
const WRITES = ['add_user', 'update_user', 'delete_user'];
const SECRET_KEYS = ['password', 'passwordSalt', 'totpSecret', 'recoveryCodes', 'accessKey', 'accessSecret', 'accessToken', 'originalToken', 'originalRefreshToken', 'hash', 'preHash'];

/** The user tools through real MCP clients against the sandbox: Casdoor's user API, Casdoor's caller rules. */
describe('user tools', () => {
  let h: Harness;
  const clients: Record<string, Client> = {};
  let seq = 0;

  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
    const userToken = (user: string) => h.sandbox.issueToken({ kind: 'user', user, scope: 'read:user write:user', audience: [h.url] });
    const headers: Record<string, Record<string, string>> = {
      read: bearer(await h.token('read:user')),
      write: bearer(await h.token('write:user')),
      alias: bearer(await h.token('user:read user:write')),
      admin: bearer(await h.token('admin')),
      appOnly: bearer(await h.token('read:application write:application')),
      globalUser: bearer(await h.userToken('admin', '123', 'read:user write:user')),
      orgAdmin: bearer(await userToken('acme/alice')),
      user: bearer(await userToken('acme/bob')),
      globalCookie: cookie(await h.sandbox.login('built-in', 'admin', '123')),
      orgCookie: cookie(await h.sandbox.login('acme', 'alice', 'alice-pass')),
    };
    for (const [who, hdrs] of Object.entries(headers)) clients[who] = await mcpClient(h, hdrs);
  });
  afterAll(() => h.close());

  const target = { acme: 'acme/alice', globex: 'globex/carol' } as const;

  function argsFor(tool: string, org: 'acme' | 'globex', who: string): Json {
    switch (tool) {
      case 'get_users':
        return { owner: org };
      case 'get_user':
        return { id: target[org] };
      case 'add_user':
        return { user: { owner: org, name: `m-${who}-${org}-${++seq}`, displayName: 'Matrix', email: `m${seq}@${org}.example.com` } };
      case 'update_user':
        return { id: target[org], user: { tag: `touched-${++seq}` } };
      default: {
        // Deleting the fixture would change later cases: delete a fresh user, confirmed.
        const name = `del-${who}-${org}-${++seq}`;
        h.sandbox.data.users.put({ ...structuredClone(h.sandbox.data.users.get(target[org])!), name, email: '', phone: '', id: `id-${name}` });
        return { id: `${org}/${name}`, confirm: true, name };
      }
    }
  }

  type Want = 'ok' | 'scope' | 'forbidden';
  // The same caller matrix as test/auth/authorization.test.ts, for users.
  const matrix: Record<string, (tool: string, org: 'acme' | 'globex') => Want> = {
    read: (tool) => (READS.includes(tool) ? 'ok' : 'scope'),
    write: (tool) => (WRITES.includes(tool) ? 'ok' : 'scope'),
    alias: () => 'ok',
    admin: () => 'ok',
    appOnly: () => 'scope',
    globalCookie: () => 'ok',
    globalUser: () => 'ok',
    orgAdmin: (_tool, org) => (org === 'acme' ? 'ok' : 'forbidden'),
    orgCookie: (_tool, org) => (org === 'acme' ? 'ok' : 'forbidden'),
    user: () => 'forbidden', // bob may read only himself (below)
  };

  for (const [who, expected] of Object.entries(matrix)) {
    for (const org of ['acme', 'globex'] as const) {
      it(`${who} on ${org}: each user tool is allowed or refused as Casdoor's rules say`, async () => {
        for (const tool of [...READS, 'update_user', 'add_user', 'delete_user']) {
          const want = expected(tool, org);
          const args = argsFor(tool, org, who);
          const before = h.sandbox.requests.length;
          const beforeApi = h.apiCalls();
          const call = clients[who]!.callTool({ name: tool, arguments: args });
          if (want === 'ok') {
            const r = await call;
            expect(r.isError, `${who} ${tool} ${org}: ${text(r)}`).toBeFalsy();
            if (tool === 'delete_user') expect(h.sandbox.data.users.has(args.id)).toBe(false);
            if (tool === 'add_user') expect(h.sandbox.data.users.has(`${org}/${args.user.name}`)).toBe(true);
          } else {
            const err = await call.then(() => undefined, (e: unknown) => e);
            expect(err, `${who} ${tool} ${org} should be refused`).toBeDefined();
            expect(rpcCodeOf(err), `${who} ${tool} ${org}: ${String(err)}`).toBe(want === 'scope' ? -32001 : -32013);
            if (want === 'scope') expect(h.apiCalls()).toBe(beforeApi);
            if (want === 'forbidden') expect(String(err)).toMatch(/own_organization_only|admin_required|self_only/);
          }
          if (tool === 'delete_user' && want !== 'ok') expect(h.sandbox.data.users.has(args.id)).toBe(true);
        }
      });
    }
  }

  it('a user who administers nothing may read only themselves', async () => {
    const self = structured(await clients.user!.callTool({ name: 'get_user', arguments: { id: 'acme/bob' } }));
    expect(self.user).toMatchObject({ owner: 'acme', name: 'bob', displayName: 'Bob Brown' });
    const byEmail = await clients.user!.callTool({ name: 'get_user', arguments: { owner: 'acme', email: 'bob@acme.example.com' } }).catch((e) => e);
    expect(rpcCodeOf(byEmail)).toBe(-32013);
  });

  it('never returns a password, salt, key, TOTP secret, recovery code or provider token, to anyone', async () => {
    const bob = h.sandbox.data.users.get('acme/bob')!;
    bob.properties = { department: 'sales', oauth_GitHub_accessToken: 'gho_secret_value' };
    const secrets = [bob.password, bob.passwordSalt, bob.accessKey, bob.accessSecret, bob.totpSecret, 'a1b2-c3d4', 'gho_secret_value'].map(String);
    for (const who of ['admin', 'globalCookie', 'orgAdmin']) {
      for (const args of [{ id: 'acme/bob' }, { owner: 'acme', phone: '5550100002' }]) {
        const r = await clients[who]!.callTool({ name: 'get_user', arguments: args });
        const user = structured(r).user as Json;
        for (const key of SECRET_KEYS) expect(user, `${who} ${key}`).not.toHaveProperty(key);
        expect(user.properties).toEqual({ department: 'sales' });
        for (const s of secrets) expect(JSON.stringify(r), who).not.toContain(s);
      }
      const list = await clients[who]!.callTool({ name: 'get_users', arguments: { owner: 'acme', pageSize: 100 } });
      for (const s of secrets) expect(JSON.stringify(list), who).not.toContain(s);
    }
  });

  it('get_users pages with the total; an organization admin gets only their organization', async () => {
    const all = structured(await clients.admin!.callTool({ name: 'get_users', arguments: { pageSize: 2 } }));
    expect(all.total).toBe(h.sandbox.data.users.count());
    expect(all.users).toHaveLength(2);
    expect(all.hasMore).toBe(true);
    const own = structured(await clients.orgAdmin!.callTool({ name: 'get_users', arguments: { pageSize: 100 } }));
    expect(own.users.length).toBeGreaterThan(0);
    expect(own.users.every((u: Json) => u.owner === 'acme')).toBe(true);
  });

  it('add_user creates the user with the password hashed by Casdoor\'s rules and returns it without credentials', async () => {
    const r = structured(await clients.admin!.callTool({ name: 'add_user', arguments: { user: { owner: 'globex', name: 'dana', password: 'dana-pass', email: 'dana@globex.example.com' } } }));
    expect(r.user).toMatchObject({ owner: 'globex', name: 'dana', displayName: 'dana', email: 'dana@globex.example.com' });
    expect(r.user).not.toHaveProperty('password');
    // globex hashes with sha256-salt: Casdoor stores the hash, and signing in with the password works.
    const org = h.sandbox.data.organizations.get('admin/globex')!;
    const sha = (v: string) => createHash('sha256').update(v).digest('hex');
    expect(h.sandbox.data.users.get('globex/dana')).toMatchObject({ passwordType: 'sha256-salt', password: sha(sha('dana-pass') + String(org.passwordSalt)) });
    await expect(h.sandbox.login('globex', 'dana', 'dana-pass')).resolves.toBeTruthy();
    const again = await clients.admin!.callTool({ name: 'add_user', arguments: { user: { owner: 'globex', name: 'dana' } } });
    expect(text(again)).toContain('already exists');
    const noOrg = await clients.admin!.callTool({ name: 'add_user', arguments: { user: { owner: 'nope', name: 'x' } } });
    expect(text(noOrg)).toContain("organization 'nope' does not exist");
    const dry = structured(await clients.admin!.callTool({ name: 'add_user', arguments: { user: { owner: 'globex', name: 'dry-dan' }, dry_run: true } }));
    expect(dry).toMatchObject({ dryRun: true, user: { owner: 'globex', name: 'dry-dan' } });
    expect(h.sandbox.data.users.has('globex/dry-dan')).toBe(false);
  });

  it('update_user changes only the named fields, reports them, and renames', async () => {
    const before = structuredClone(h.sandbox.data.users.get('globex/carol')!);
    const r = structured(await clients.admin!.callTool({ name: 'update_user', arguments: { id: 'globex/carol', user: { displayName: 'Carol C.', tag: 'vip', isForbidden: false } } }));
    expect(r.changes).toEqual([
      { field: 'displayName', old: 'Carol Clark', new: 'Carol C.' },
      { field: 'tag', old: before.tag, new: 'vip' },
    ]);
    const after = h.sandbox.data.users.get('globex/carol')!;
    expect({ ...after, displayName: before.displayName, tag: before.tag, updatedTime: before.updatedTime }).toEqual(before);
    const dry = structured(await clients.admin!.callTool({ name: 'update_user', arguments: { id: 'globex/carol', user: { bio: 'preview' }, dry_run: true } }));
    expect(dry).toMatchObject({ dryRun: true, changes: [{ field: 'bio', old: '', new: 'preview' }] });
    expect(h.sandbox.data.users.get('globex/carol')!.bio).toBe('');
    await clients.admin!.callTool({ name: 'add_user', arguments: { user: { owner: 'globex', name: 'erin' } } });
    const renamed = structured(await clients.admin!.callTool({ name: 'update_user', arguments: { id: 'globex/erin', user: { name: 'erin2' } } }));
    expect(renamed.id).toBe('globex/erin2');
    expect(h.sandbox.data.users.has('globex/erin')).toBe(false);
    expect(h.sandbox.data.users.get('globex/erin2')!.owner).toBe('globex');
  });

  it('two concurrent updates of different fields of one user both survive, also when both read before either writes', async () => {
    // Both credentials freshly resolved, so no identity lookup at Casdoor shifts the interleaving below.
    await clients.admin!.callTool({ name: 'whoami', arguments: {} });
    await clients.globalCookie!.callTool({ name: 'whoami', arguments: {} });
    // Long enough that the second read arrives before the first write even on a loaded machine.
    h.sandbox.faults.delayMs = 150;
    const before = h.sandbox.requests.length;
    try {
      const [a, b] = await Promise.all([
        clients.admin!.callTool({ name: 'update_user', arguments: { id: 'globex/carol', user: { bio: 'from A' } } }),
        clients.globalCookie!.callTool({ name: 'update_user', arguments: { id: 'globex/carol', user: { location: 'from B' } } }),
      ]);
      expect(a.isError || b.isError).toBeFalsy();
    } finally {
      h.sandbox.faults.delayMs = 0;
    }
    // The interleaving that loses a change with full-row writes: both reads land before the first write.
    const paths = h.sandbox.requests.slice(before).map((q) => q.path);
    const reads = paths.flatMap((p, i) => (p === '/api/get-user' ? [i] : []));
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(paths.indexOf('/api/update-user')).toBeGreaterThan(reads[1]!);
    expect(h.sandbox.data.users.get('globex/carol')).toMatchObject({ bio: 'from A', location: 'from B' });
  });

  it('built-in/admin cannot be renamed or deleted, nor can callers delete themselves; Casdoor is not asked', async () => {
    const before = h.sandbox.requests.length;
    const beforeApi = h.apiCalls();
    const rename = await clients.admin!.callTool({ name: 'update_user', arguments: { id: 'built-in/admin', user: { name: 'root' } } });
    expect(text(rename)).toContain('cannot be renamed');
    const del = await clients.admin!.callTool({ name: 'delete_user', arguments: { id: 'built-in/admin', confirm: true, name: 'admin' } });
    expect(text(del)).toContain('cannot be deleted');
    const self = await clients.orgAdmin!.callTool({ name: 'delete_user', arguments: { id: 'acme/alice', confirm: true, name: 'alice' } });
    expect(text(self)).toContain('your own user');
    expect(h.apiCalls()).toBe(beforeApi);
    expect(h.sandbox.data.users.has('built-in/admin')).toBe(true);
    expect(h.sandbox.data.users.has('acme/alice')).toBe(true);
  });

  it('refuses undeclared fields (-32602 naming them), changed read-only keys and "***" values, writing nothing', async () => {
    const before = h.sandbox.requests.length;
    const writes = () => h.sandbox.requests.filter((r) => r.path === '/api/update-user').length;
    const beforeWrites = writes();
    const bad = await clients.admin!.callTool({ name: 'update_user', arguments: { id: 'acme/bob', user: { passwrd: 'x' } } }).catch((e) => e);
    expect(rpcCodeOf(bad)).toBe(-32602);
    expect(String(bad)).toContain('"passwrd"');
    // Read-only keys of Casdoor's user object are accepted only unchanged (Casdoor-shaped calls).
    const password = await clients.admin!.callTool({ name: 'update_user', arguments: { id: 'acme/bob', user: { password: 'x' } } });
    expect(password.isError).toBe(true);
    expect(text(password)).toContain('"password" cannot be changed here');
    const owner = await clients.admin!.callTool({ name: 'update_user', arguments: { id: 'acme/bob', user: { owner: 'globex' } } });
    expect(text(owner)).toContain('"owner" cannot be changed here');
    expect(writes()).toBe(beforeWrites);
    const masked = await clients.admin!.callTool({ name: 'update_user', arguments: { id: 'acme/bob', user: { idCard: '***' } } });
    expect(masked.isError).toBe(true);
  });

  it('a Casdoor refusal comes back as a tool error that says what failed and what to do, without a stack', async () => {
    const r = await clients.admin!.callTool({ name: 'add_user', arguments: { user: { owner: 'built-in', name: 'second-admin' } } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^Casdoor refused POST \/api\/add-user: .*built-in.*Check the arguments/s);
    expect(text(r)).not.toMatch(/\n\s+at /);
    h.sandbox.faults.down = true;
    try {
      const down = await clients.admin!.callTool({ name: 'get_user', arguments: { id: 'acme/bob' } });
      expect(down.isError).toBe(true);
      expect(text(down)).toMatch(/could not be reached.*retry/i);
    } finally {
      h.sandbox.faults.down = false;
    }
  });
});
