import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, structured, text, type Json } from '../tools/helpers.js';
import { FIXTURE, row, type Family } from './support.js';

/** A value for a property of a listed input schema that differs from `current` and passes the schema. */
function another(schema: Json, current: unknown, field: string): unknown {
  if (schema.anyOf) return another(schema.anyOf[0], current, field);
  if (schema.enum) return schema.enum.find((v: unknown) => v !== current) ?? schema.enum[0];
  switch (schema.type) {
    case 'boolean':
      return current !== true;
    case 'integer':
    case 'number':
      return Math.min(Number(current ?? 0) + 1, schema.maximum ?? Infinity);
    case 'array':
      return [schema.items?.pattern ? `acme/sweep-${field}` : `sweep-${field}`];
    case 'object':
      return { sweep: field };
    default:
      return `sweep-${field}`;
  }
}

/**
 * For each family's update tool: every writable field changed alone, through a real MCP client; the
 * sandbox's row then holds the new value there and exactly the old value everywhere else.
 */
describe.each(['organization', 'role', 'permission', 'provider', 'group'] as const)('update_%s: the one-field sweep', (family: Exclude<Family, 'token'>) => {
  let h: Harness;
  let admin: Client;
  let properties: Record<string, Json> = {};
  const id = FIXTURE[family].acme;

  beforeAll(async () => {
    h = await startHarness({ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0' });
    admin = await mcpClient(h, bearer(await h.token('admin')));
    // The update tool's fields are its add tool's but the owner (tools/list shows them once, on the add tool).
    const tools = (await admin.listTools()).tools;
    const update = tools.find((t) => t.name === `update_${family}`)!;
    expect((update.inputSchema.properties as Json)[family].description).toMatch(new RegExp(`^Any of add_${family}'s ${family} fields`));
    const { owner: _owner, ...fields } = (tools.find((t) => t.name === `add_${family}`)!.inputSchema.properties as Json)[family].properties;
    properties = fields;
  });
  afterAll(() => h.close());

  it('lists its writable fields', () => {
    expect(Object.keys(properties).length).toBeGreaterThan(5);
  });

  it('changes exactly the one field given, each time, and reports exactly that change', async () => {
    const fields = Object.keys(properties).filter((f) => f !== 'name');
    for (const field of fields) {
      const before = structuredClone(row(h, family, id)!);
      const value = another(properties[field]!, before[field], field);
      const r = await admin.callTool({ name: `update_${family}`, arguments: { id, [family]: { [field]: value } } });
      expect(r.isError, `${field}: ${text(r)}`).toBeFalsy();
      expect(structured(r).changes.map((c: Json) => c.field), field).toEqual([field]);
      const after = row(h, family, id)!;
      expect(after[field], field).toEqual(value);
      const { [field]: _a, updatedTime: _t1, ...restAfter } = after;
      const { [field]: _b, updatedTime: _t2, ...restBefore } = before;
      expect(restAfter, `changing ${field} changed something else`).toEqual(restBefore);
    }
  });

  it('a rename moves the row and keeps every other field', async () => {
    const source = FIXTURE[family].globex;
    const before = structuredClone(row(h, family, source)!);
    const r = await admin.callTool({ name: `update_${family}`, arguments: { id: source, [family]: { name: 'renamed-by-sweep' } } });
    expect(r.isError, text(r)).toBeFalsy();
    const newId = `${before.owner}/renamed-by-sweep`;
    expect(row(h, family, source)).toBeUndefined();
    const { name: _n, updatedTime: _t, ...rest } = row(h, family, newId)!;
    const { name: _n2, updatedTime: _t2, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
  });
});
