import { describe, expect, it } from 'vitest';
import scopesJson from '../scopes.json' with { type: 'json' };
import { createScopeRegistry, unscopedTools } from '../src/auth/scopes.js';
import { createToolRegistry } from '../src/mcp/registry.js';
import { TOOLS } from '../src/tools/index.js';

const names = TOOLS.map((t) => t.name);
const scopes = createScopeRegistry(scopesJson, names);
const registry = createToolRegistry(TOOLS, scopes);

describe('scopes.json and the tool registry', () => {
  it('every tool needs exactly one scope, and every scope names existing tools', () => {
    expect(unscopedTools(scopes, names)).toEqual([]);
    for (const def of Object.values(scopesJson.scopes)) for (const tool of def.tools) expect(names).toContain(tool);
  });

  it('maps read:application to the reads and write:application to the writes', () => {
    expect(scopesJson.scopes['read:application'].tools).toEqual(['get_applications', 'get_application']);
    expect(scopesJson.scopes['write:application'].tools).toEqual(['add_application', 'update_application', 'delete_application']);
  });

  it('expands upstream aliases and convenience scopes, exactly and case-sensitively', () => {
    expect([...scopes.expand(['application:read'])]).toEqual(['read:application']);
    expect([...scopes.expand(['application:write'])]).toEqual(['write:application']);
    expect([...scopes.expand(['read'])]).toEqual(['read:application']);
    expect([...scopes.expand(['write'])]).toEqual(['write:application']);
    expect([...scopes.expand(['admin'])].sort()).toEqual(['read:application', 'write:application']);
    expect([...scopes.expand(['READ:APPLICATION', 'read:applications', 'read:application:x', '*', 'openid'])]).toEqual([]);
  });

  it('publishes only canonical scopes, never an alias, a wildcard or offline_access', () => {
    expect(scopes.canonical).toEqual(['read:application', 'write:application']);
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
      expect(t._meta.requiredScopes).toEqual([scopes.requiredScope(t.name)]);
    }
  });

  it('tools/list output is checked in: any change of names, schemas, annotations or scopes shows in review', async () => {
    await expect(JSON.stringify(registry.visibleTo({ kind: 'anonymous' }), null, 2)).toMatchFileSnapshot('./golden/tools-list.json');
  });
});
