// Defect 8 of issue 12: a JSON-RPC method named like a member of Object.prototype was looked up in a
// plain object before dispatch and answered HTTP 500 (a TypeError); it is simply not a method.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness();
  token = await h.token('admin');
});
afterAll(() => h?.close());

describe('method names that are Object.prototype members', () => {
  for (const method of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
    it(`"${method}" gets -32601 Method not found, never a 500`, async () => {
      const res = await h.post({ jsonrpc: '2.0', id: 1, method, params: {} }, { Authorization: `Bearer ${token}` });
      expect(res.status).not.toBe(500);
      const json = (await res.json()) as { id: unknown; error?: { code: number } };
      expect(json).toMatchObject({ id: 1, error: { code: -32601 } });
      expect(h.rawLogs()).not.toContain('TypeError');
    });
  }
});
