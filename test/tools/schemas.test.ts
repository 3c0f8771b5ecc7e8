import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc, startHarness, type Harness } from '../support/harness.js';
import type { Json } from './helpers.js';

type Schema = Record<string, unknown>;

const isEmpty = (s: unknown): boolean => s === true || (!!s && typeof s === 'object' && !Array.isArray(s) && Object.keys(s).length === 0);

/**
 * Parts of a schema that constrain nothing and only grow tools/list: an empty subschema where a
 * keyword expects one (`additionalProperties: {}`, `items: {}`, ...), `propertyNames: {"type":
 * "string"}` (every JSON key is one), the safe-integer bounds of a bare integer, and an optional
 * property whose schema is empty (the Inspector's --strict warns on that, required or not).
 */
function saysNothing(schema: Schema, at: string, out: string[]): string[] {
  for (const key of ['additionalProperties', 'items', 'propertyNames', 'contains', 'not', 'unevaluatedProperties', 'unevaluatedItems']) {
    if (key in schema && isEmpty(schema[key])) out.push(`${at}.${key} is empty`);
  }
  if (JSON.stringify(schema.propertyNames) === '{"type":"string"}') out.push(`${at}.propertyNames only says "string"`);
  for (const key of ['minimum', 'maximum'] as const) {
    if (Math.abs(schema[key] as number) === Number.MAX_SAFE_INTEGER) out.push(`${at}.${key} is the safe-integer bound`);
  }
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [name, sub] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
    if (isEmpty(sub)) out.push(`${at}.properties.${name} is empty${required.has(name) ? '' : ' and optional'}`);
    saysNothing(sub, `${at}.properties.${name}`, out);
  }
  for (const [pattern, sub] of Object.entries((schema.patternProperties as Record<string, Schema> | undefined) ?? {})) {
    if (isEmpty(sub)) out.push(`${at}.patternProperties[${pattern.slice(0, 20)}...] is empty`);
    saysNothing(sub, `${at}.patternProperties`, out);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, sub] of ((schema[key] as Schema[] | undefined) ?? []).entries()) {
      if (isEmpty(sub)) out.push(`${at}.${key}[${i}] is empty`);
      saysNothing(sub, `${at}.${key}[${i}]`, out);
    }
  }
  for (const key of ['items', 'additionalProperties', 'not', 'contains'] as const) {
    const sub = schema[key];
    if (sub && typeof sub === 'object' && !Array.isArray(sub)) saysNothing(sub as Schema, `${at}.${key}`, out);
  }
  return out;
}

/** Every tool's schemas as an anonymous tools/list shows them (all tools): valid, strict, and each part saying something. */
describe('tool schemas in tools/list', () => {
  let h: Harness;
  let tools: Json[];
  beforeAll(async () => {
    h = await startHarness();
    tools = ((await (await h.post(rpc('tools/list'))).json()) as Json).result.tools as Json[];
  });
  afterAll(() => h.close());

  it('compile as JSON Schema 2020-12 under a strict validator (no unknown keywords, required keys declared, types spelled out)', () => {
    expect(tools.length).toBeGreaterThanOrEqual(39);
    const problems: string[] = [];
    // Ajv's strict mode is what strict clients warn with; union types ("type": [..]) are legal 2020-12.
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false, logger: false });
    for (const t of tools) {
      for (const io of ['inputSchema', 'outputSchema'] as const) {
        try {
          ajv.compile(t[io] as Schema);
        } catch (err) {
          problems.push(`${t.name as string} ${io}: ${(err as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('have no part that constrains nothing (additionalProperties: {}, items: {}, empty optional properties, ...)', () => {
    const problems = tools.flatMap((t) => [
      ...saysNothing(t.inputSchema as Schema, `${t.name as string}.inputSchema`, []),
      ...saysNothing(t.outputSchema as Schema, `${t.name as string}.outputSchema`, []),
    ]);
    expect(problems).toEqual([]);
  });
});
