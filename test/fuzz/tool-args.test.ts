// Property, per tool: random arguments (wrong types, huge strings, deep nesting, Unicode, NUL,
// __proto__/constructor keys, ids like "admin/../x") called by a token that may call every tool.
// Arguments the tool's schema refuses get -32602 and reach Casdoor not at all; arguments it accepts
// may reach Casdoor, but only with validated values. Never a 5xx, a crash or a hang; the id is echoed.
import { CallToolRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { DEEP, deeplyNestedJson, hostileJson, NASTY_IDS, nastyString, nastyValue, withDeep } from './arbitraries.js';
import { FUZZ_ENV, fuzzSettings, prototypeUntouched, send, stillServing } from './support.js';

type Json = Record<string, any>;

/** Top-level argument names of a tool, and for object-valued ones the names inside, from its JSON Schema. */
function argumentNames(tool: (typeof TOOLS)[number]): { top: string[]; nested: Record<string, string[]> } {
  const schema = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as Json;
  const props: Json = schema.properties ?? {};
  const nested: Record<string, string[]> = {};
  for (const [name, prop] of Object.entries(props)) if (prop?.properties) nested[name] = Object.keys(prop.properties);
  return { top: Object.keys(props), nested };
}

const IDS = fc.oneof(fc.constantFrom(...NASTY_IDS), nastyString, fc.constant('admin/acme-portal'), fc.constant('acme/bob'));

/** Arguments for one tool: mostly its own names with hostile values, sometimes anything at all. */
function argumentsFor(tool: (typeof TOOLS)[number]): fc.Arbitrary<string> {
  const { top, nested } = argumentNames(tool);
  const valueFor = (name: string): fc.Arbitrary<unknown> => {
    if (nested[name]) {
      const keys = fc.constantFrom(...nested[name]!, '__proto__', 'constructor', 'owner', 'isAdmin', 'clientSecret', 'password');
      return fc.oneof({ weight: 3, arbitrary: fc.dictionary(keys, nastyValue, { maxKeys: 5 }) }, { weight: 1, arbitrary: nastyValue });
    }
    if (/id$/i.test(name) || name === 'name' || name === 'owner' || name === 'organization') return IDS;
    return fc.oneof(nastyValue, fc.constant(DEEP));
  };
  const known = top.length > 0 ? fc.record(Object.fromEntries(top.map((n) => [n, valueFor(n)])), { requiredKeys: [] }) : fc.constant({});
  const extra = fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', 'owner'), nastyValue, { maxKeys: 2 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(known, extra, deeplyNestedJson).map(([args, keys, deep]) => withDeep(hostileJson(args, keys), deep)) },
    { weight: 1, arbitrary: nastyValue.map((v) => JSON.stringify(v) ?? 'null') },
  );
}

/** Query values the sandbox received that no validated argument could produce. */
function unvalidatedValues(query: string): string[] {
  const bad: string[] = [];
  for (const [key, value] of new URLSearchParams(query)) {
    if (/[\u0000-\u001f\u007f]/.test(value)) bad.push(`${key} has a control character`);
    // Casdoor splits ids on "/" and expects exactly two parts; the values travel as query values, so a
    // name of ".." is just a name (no path is ever built from it).
    if (key === 'id' && (value.split('/').length !== 2 || /[?#&%]/.test(value))) bad.push(`id=${JSON.stringify(value)}`);
    if (['owner', 'organization', 'name'].includes(key) && /[/?#&%]/.test(value)) bad.push(`${key}=${JSON.stringify(value)}`);
  }
  return bad;
}

describe('fuzz: random tool arguments', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness(FUZZ_ENV);
    // Every canonical scope: the gate lets each call through to argument validation.
    token = await h.token('admin read:user write:user');
    const warm = await send(h, JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'tools/list' }), { Authorization: `Bearer ${token}` });
    expect(warm.json?.result?.tools?.map((t: Json) => t.name)).toEqual(expect.arrayContaining(TOOLS.map((t) => t.name)));
  });
  afterAll(() => h?.close());

  for (const tool of TOOLS) {
    it(`${tool.name}: -32602 without a Casdoor call for refused arguments; validated values only otherwise`, async () => {
      let id = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(argumentsFor(tool), async (argsText) => {
          id += 1;
          const body = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":${JSON.stringify(tool.name)},"arguments":${argsText}}}`;
          const before = h.sandbox.requests.length;
          const answer = await send(h, body, { Authorization: `Bearer ${token}` });
          // Asking Casdoor whose the token is (when the identity cache expires mid-run) is no tool call.
          const sent = h.sandbox.requests.slice(before).filter((r) => r.path !== '/api/login/oauth/introspect' && !(r.path === '/api/get-account' && r.auth === 'bearer'));
          if (answer.status === 413) return; // over MCP_MAX_BODY_BYTES: refused before parsing
          expect(answer.json?.id).toBe(id);
          // What the tool sees: the SDK re-parses params first (its record parse drops an own "__proto__" key).
          const request = CallToolRequestSchema.safeParse(JSON.parse(body));
          const valid = request.success && tool.input.safeParse(request.data.params.arguments ?? {}).success;
          if (!valid) {
            refused += 1;
            expect(answer.json?.error?.code, JSON.stringify(answer.json).slice(0, 300)).toBe(-32602);
            expect(sent.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([]);
          } else {
            expect(answer.status, JSON.stringify(answer.json).slice(0, 300)).toBe(200);
            for (const r of sent) expect(unvalidatedValues(r.query), `${r.method} ${r.path}?${r.query}`).toEqual([]);
          }
        }),
        fuzzSettings(150, 12_000),
      );
      expect(refused).toBeGreaterThan(0);
      await stillServing(h);
      prototypeUntouched();
    }, 30_000);
  }
});
