// Property: any POST body (valid JSON-RPC or not) gets a JSON-RPC answer or an empty 202, never a 5xx,
// a crash or a hang; a well-formed request gets its id back; and Casdoor is called only for a
// tools/call whose tool exists and whose arguments pass that tool's schema.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { anyId, DEEP, deeplyNestedJson, hostileJson, nastyString, nastyValue, withDeep } from './arbitraries.js';
import { FUZZ_ENV, fuzzSettings, prototypeUntouched, send, stillServing } from './support.js';

const TOOL_NAMES = TOOLS.map((t) => t.name);
const METHODS = [
  'initialize', 'ping', 'tools/list', 'tools/call', 'notifications/initialized', 'notifications/cancelled',
  'notifications/progress', 'resources/list', 'resources/read', 'prompts/list', 'prompts/get', 'logging/setLevel',
  'completion/complete', 'sampling/createMessage', 'elicitation/create', 'roots/list', 'tools/list/', 'TOOLS/LIST', '',
];

const params = fc.oneof(
  fc.record({ name: fc.oneof(fc.constantFrom(...TOOL_NAMES), nastyString), arguments: fc.oneof({ weight: 4, arbitrary: nastyValue }, { weight: 1, arbitrary: fc.constant(DEEP) }) }, { requiredKeys: [] }),
  fc.record({ protocolVersion: fc.oneof(fc.constantFrom('2025-11-25', '2025-06-18', '1999-01-01'), nastyString), capabilities: nastyValue, clientInfo: nastyValue }, { requiredKeys: [] }),
  nastyValue,
);
const message = fc.record(
  {
    jsonrpc: fc.oneof({ weight: 5, arbitrary: fc.constant('2.0') }, { weight: 1, arbitrary: nastyValue }),
    id: anyId,
    method: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: nastyString }),
    params,
    result: nastyValue,
    error: nastyValue,
  },
  { requiredKeys: [] },
);
const protoKeys = fc.dictionary(fc.constantFrom('__proto__', 'constructor'), nastyValue, { maxKeys: 2 });

/** A body and, when it parses to one JSON object, that object (to know what the server must do). */
const body = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(message, protoKeys, deeplyNestedJson).map(([m, extra, deep]) => withDeep(hostileJson(m, extra), deep)) },
  { weight: 2, arbitrary: nastyValue.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: deeplyNestedJson },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', '[]', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]', '{"jsonrpc":"2.0","id":1,"method":"ping"', '\u0000', 'null', '"x"', '1e999') },
);
const versionHeader = fc.option(fc.constantFrom('2025-11-25', '2025-06-18', '2025-03-26', '1999-01-01', '', 'x'.repeat(300)), { nil: undefined });

const validId = (id: unknown) => typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether this parsed body is a tools/call the server may legitimately carry to Casdoor. */
function mayReachCasdoor(parsed: unknown, authenticated: boolean): boolean {
  if (!authenticated || !isObject(parsed) || parsed.method !== 'tools/call' || !isObject(parsed.params)) return false;
  const tool = TOOLS.find((t) => t.name === parsed.params.name);
  return tool !== undefined && tool.input.safeParse(parsed.params.arguments ?? {}).success;
}

describe('fuzz: random JSON-RPC bodies', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness(FUZZ_ENV);
    token = await h.token('admin');
    // The verifier loads the JWKS on first use; load it now so every later Casdoor request is a tool's.
    expect((await send(h, JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'tools/list' }), { Authorization: `Bearer ${token}` })).status).toBe(200);
  });
  afterAll(() => h?.close());

  it('never a 5xx, a crash or a hang; ids echoed; Casdoor reached only by valid tool calls', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), versionHeader, async (text, authenticated, version) => {
        runs += 1;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const headers: Record<string, string> = {};
        if (authenticated) headers.Authorization = `Bearer ${token}`;
        if (version !== undefined) headers['MCP-Protocol-Version'] = version;
        const before = h.sandbox.requests.length;
        const answer = await send(h, text, headers);

        // A well-formed request's answer carries its id; nothing else may invent an id.
        if (answer.json && isObject(parsed) && parsed.jsonrpc === '2.0' && typeof parsed.method === 'string' && validId(parsed.id)) {
          expect(answer.json.id === parsed.id || (answer.status >= 400 && answer.json.id === null)).toBe(true);
          if (answer.status < 400 || answer.status === 401 || answer.status === 403) expect(answer.json.id).toBe(parsed.id);
        } else if (answer.json) {
          expect(answer.json.id === null || (isObject(parsed) && answer.json.id === parsed.id)).toBe(true);
        }
        if (!mayReachCasdoor(parsed, authenticated)) {
          expect(h.sandbox.requests.slice(before).map((r) => `${r.method} ${r.path}?${r.query}`), text.slice(0, 200)).toEqual([]);
        }
      }),
      fuzzSettings(400, 40_000),
    );
    expect(runs).toBeGreaterThan(50);
    await stillServing(h);
    prototypeUntouched();
  }, 60_000);

  it('a body over the size limit gets 413 and the next request is served', async () => {
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_application', arguments: { id: 'x'.repeat(2 * 1024 * 1024) } } });
    const answer = await send(h, huge, { Authorization: `Bearer ${token}` }).catch((err: Error) => ({ status: -1, json: { err: err.message } }));
    // The server closes the connection after refusing; a client may see the 413 or a reset, never a 5xx.
    expect([413, -1]).toContain(answer.status);
    await stillServing(h);
  });
});
