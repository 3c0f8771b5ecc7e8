import { describe, expect, it } from 'vitest';
import scopesJson from '../scopes.json' with { type: 'json' };
import { createScopeRegistry, unscopedTools } from '../src/auth/scopes.js';
import { createToolRegistry } from '../src/mcp/registry.js';
import { createOperatorPolicy } from '../src/ops/operator-policy.js';
import { TOOLS } from '../src/tools/index.js';

const names = TOOLS.map((t) => t.name);
const scopes = createScopeRegistry(scopesJson, names);
const registry = createToolRegistry(TOOLS, scopes);
const FAMILIES = ['application', 'user', 'organization', 'role', 'permission', 'provider', 'token', 'group'];
const CANONICAL = FAMILIES.flatMap((f) => [`read:${f}`, `write:${f}`]);
const READ_SCOPES = FAMILIES.map((f) => `read:${f}`);
const WRITE_SCOPES = FAMILIES.map((f) => `write:${f}`);

describe('scopes.json and the tool registry', () => {
  it('every tool but whoami needs exactly one scope, and every scope names existing tools', () => {
    // whoami is the one tool in no scope: any authenticated caller may ask who they are.
    expect(unscopedTools(scopes, names)).toEqual(['whoami']);
    for (const def of Object.values(scopesJson.scopes)) for (const tool of def.tools) expect(names).toContain(tool);
  });

  it('maps each read scope to the reads and each write scope to the writes', () => {
    expect(scopesJson.scopes['read:application'].tools).toEqual(['get_applications', 'get_application']);
    expect(scopesJson.scopes['write:application'].tools).toEqual(['add_application', 'update_application', 'delete_application']);
    expect(scopesJson.scopes['read:user'].tools).toEqual(['get_users', 'get_user']);
    expect(scopesJson.scopes['write:user'].tools).toEqual(['add_user', 'update_user', 'delete_user']);
  });

  it('expands upstream aliases and convenience scopes, exactly and case-sensitively', () => {
    expect([...scopes.expand(['application:read'])]).toEqual(['read:application']);
    expect([...scopes.expand(['application:write'])]).toEqual(['write:application']);
    expect([...scopes.expand(['user:read'])]).toEqual(['read:user']);
    expect([...scopes.expand(['user:write'])]).toEqual(['write:user']);
    // Changed on purpose (issue 14): every family has both spellings, and read/write/admin span them all.
    for (const family of ['organization', 'role', 'permission', 'provider', 'token', 'group']) {
      expect([...scopes.expand([`${family}:read`])]).toEqual([`read:${family}`]);
      expect([...scopes.expand([`${family}:write`])]).toEqual([`write:${family}`]);
    }
    expect([...scopes.expand(['read'])]).toEqual(READ_SCOPES);
    expect([...scopes.expand(['write'])]).toEqual(WRITE_SCOPES);
    expect([...scopes.expand(['admin'])].sort()).toEqual([...READ_SCOPES, ...WRITE_SCOPES].sort());
    expect([...scopes.expand(['READ:APPLICATION', 'read:applications', 'read:application:x', '*', 'openid'])]).toEqual([]);
  });

  it('publishes only canonical scopes, never an alias, a wildcard or offline_access', () => {
    expect(scopes.canonical).toEqual(CANONICAL);
  });

  it('rejects a scopes.json that names an unknown tool or an alias to an unknown scope', () => {
    const bad = structuredClone(scopesJson) as any;
    bad.scopes['read:application'].tools.push('get_nothing');
    expect(() => createScopeRegistry(bad, names)).toThrow(/unknown tool get_nothing/);
    const badAlias = structuredClone(scopesJson) as any;
    badAlias.aliases.read.grants = ['read:nothing'];
    expect(() => createScopeRegistry(badAlias, names)).toThrow(/unknown scope read:nothing/);
  });

  it('every tool has a title, a description, full annotations and strict input', () => {
    for (const t of registry.visibleTo({ kind: 'anonymous' })) {
      expect(t.title.length).toBeGreaterThan(0);
      expect(t.description.length).toBeGreaterThan(20);
      expect(t.annotations.openWorldHint).toBe(false);
      expect(typeof t.annotations.readOnlyHint).toBe('boolean');
      expect(t.annotations.destructiveHint).toBe(t.name.startsWith('delete_') || t.name.startsWith('update_'));
      expect(t.inputSchema.additionalProperties).toBe(false);
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema.type).toBe('object');
      expect(t._meta.requiredScopes).toEqual(t.name === 'whoami' ? [] : [scopes.requiredScope(t.name)]);
      // Every write tool can preview its change.
      if (!t.annotations.readOnlyHint) expect(Object.keys(t.inputSchema.properties as object)).toContain('dry_run');
    }
  });

  it('an update tool lists its own fields where its add tool is not listed, and points to them where it is', () => {
    const fieldsOf = (r: typeof registry, tool: string) =>
      (r.visibleTo({ kind: 'anonymous' } as never).find((t) => t.name === tool)!.inputSchema.properties as Record<string, { properties?: object }>);
    expect(fieldsOf(registry, 'update_application').application!.properties).toBeUndefined();
    expect(fieldsOf(registry, 'update_role').role!.properties).toBeUndefined();
    const operator = createOperatorPolicy({ readOnly: false, tools: ['update_application', 'update_role', 'add_role'], allowedOrganizations: undefined }, names);
    const narrowed = createToolRegistry(TOOLS, scopes, operator);
    expect(Object.keys(fieldsOf(narrowed, 'update_application').application!.properties!)).toContain('redirectUris');
    expect(fieldsOf(narrowed, 'update_role').role!.properties).toBeUndefined();
    // A token's list is filtered by scope first; write:application grants add_application beside update_application.
    const token = { kind: 'token', scopes: new Set(['write:application']) } as never;
    expect((registry.visibleTo(token).find((t) => t.name === 'update_application')!.inputSchema.properties as Record<string, { properties?: object }>).application!.properties).toBeUndefined();
  });

  it('whoami is visible to every authenticated caller, even a token with no scope', () => {
    const principal = { type: 'application' as const, id: 'admin/x', name: 'x' };
    const noScope = { kind: 'token' as const, principal, grantedScopes: [], scopes: new Set<string>(), clientId: undefined, expiresAt: 0 };
    expect(registry.visibleTo(noScope).map((t) => t.name)).toEqual(['whoami']);
    expect(registry.visibleTo({ kind: 'cookie', principal }).map((t) => t.name)).toEqual(names);
  });

  it('tools/list is ASCII, so its cached reply is written without a UTF-8 transcode on every request', () => {
    expect(JSON.stringify(registry.visibleTo({ kind: 'anonymous' }))).toMatch(/^[\x20-\x7e]*$/);
  });

  it('tools/list output is checked in: any change of names, schemas, annotations or scopes shows in review', async () => {
    await expect(JSON.stringify(registry.visibleTo({ kind: 'anonymous' }), null, 2)).toMatchFileSnapshot('./golden/tools-list.json');
  });
});
