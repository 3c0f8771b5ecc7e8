// Defect 4 of issue 12: Casdoor clamps a page number past the end to the last page, so
// get_applications {page: 9, pageSize: 1} returned the last application again with hasMore false.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let client: Client;
beforeAll(async () => {
  h = await startHarness();
  client = await h.client({ Authorization: `Bearer ${await h.token('admin')}` });
});
afterAll(() => h?.close());

const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })).structuredContent as Record<string, unknown> & { total: number };

describe('a page past the end is empty', () => {
  it('get_applications', async () => {
    const { total } = await call('get_applications', { pageSize: 1 });
    expect(total).toBeGreaterThan(1);
    const last = await call('get_applications', { page: total, pageSize: 1 });
    expect(last.applications).toHaveLength(1);
    const past = await call('get_applications', { page: total + 4, pageSize: 1 });
    expect(past).toMatchObject({ applications: [], total, hasMore: false, page: total + 4 });
  });

  it('get_users', async () => {
    const { total } = await call('get_users', { pageSize: 2 });
    const past = await call('get_users', { page: Math.ceil(total / 2) + 1, pageSize: 2 });
    expect(past).toMatchObject({ users: [], total, hasMore: false });
  });
});
