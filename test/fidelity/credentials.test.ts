// Defect 3 of issue 12: Casdoor does not refuse a wrong Basic secret, it answers as to an anonymous
// caller. get_application then returned the masked public object as if it were the configuration, and
// list tools blamed the arguments. Now both say that the server's own Casdoor credentials are wrong.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let client: Client;
beforeAll(async () => {
  h = await startHarness();
  client = await h.client({ Authorization: `Bearer ${await h.token('admin')}` });
  // The operator's secret no longer matches: from now on Casdoor treats the server as anonymous.
  h.sandbox.data.applications.get('admin/casdoor-mcp')!.clientSecret = 'rotated-by-someone-else';
});
afterAll(() => h?.close());

const text = (r: unknown): string => ((r as { content: { text: string }[] }).content[0]?.text ?? '');

describe('a wrong server secret is reported as such', () => {
  for (const [tool, args] of [
    ['get_application', { id: 'admin/app-built-in' }],
    ['get_applications', {}],
    ['get_users', {}],
    ['get_user', { id: 'acme/alice' }],
  ] as const) {
    it(`${tool} fails with the credentials named, not a masked object or "check the arguments"`, async () => {
      const result = await client.callTool({ name: tool, arguments: args });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/server's own Casdoor credentials \(CASDOOR_CLIENT_ID \/ CASDOOR_CLIENT_SECRET\) are wrong/);
      expect(text(result)).not.toContain('Check the arguments');
      expect(text(result)).not.toContain('***');
    });
  }
});
