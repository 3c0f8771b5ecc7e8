// What a new user does after `npm start`: an MCP client (mcp-remote, as in the README) is given only the
// URL, and a real browser (Debian's Chromium, headless, driven by playwright-core; nothing is
// downloaded) fills the sandbox's sign-in and consent pages; then the tool call is answered.
// Without a browser this says so and skips, except under CI=true, where it must run.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import scopesJson from '../../scopes.json' with { type: 'json' };
import { startHarness, type Harness } from '../support/harness.js';
import { startMcpRemote } from './mcp-remote.js';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean) as string[];
const executablePath = CANDIDATES.find((p) => existsSync(p));
const ci = process.env.CI === 'true';
if (!executablePath && !ci) {
  console.warn(`browser sign-in test SKIPPED: no Chromium at ${CANDIDATES.join(', ')} (apt-get install chromium, or set CHROMIUM_PATH); CI=true makes this a failure`);
}

describe.skipIf(!executablePath && !ci)('browser sign-in with Chromium', () => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    if (!executablePath) throw new Error(`CI=true but no Chromium at ${CANDIDATES.join(', ')}: .ci/run installs it with apt-get`);
    // --no-sandbox: CI runs as root in a container, where Chromium's own sandbox cannot start.
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('mcp-remote opens the sign-in page; the user signs in as acme/alice, allows the scopes, and the tool call is answered', async () => {
    const remote = await startMcpRemote(h.url);
    try {
      const call = remote.client.callTool({ name: 'whoami', arguments: {} }).catch(() => undefined);
      const url = await remote.authorizationUrl;
      await remote.waitForLog(/OAuth callback server running/);

      const page = await browser.newPage();
      await page.goto(url);
      expect(await page.title()).toMatch(/^Sign in to /);
      await page.fill('#username', 'acme/alice');
      await page.fill('#password', 'alice-pass');
      await page.click('#signin');
      await page.waitForSelector('#allow');
      // The consent page names what the client asked for, as scopes.json describes it.
      const listed = await page.locator('#scopes li').allTextContents();
      for (const [name, def] of Object.entries(scopesJson.scopes)) {
        expect(listed.some((t) => t.includes(def.displayName) && t.includes(name)), `${name} on the consent page`).toBe(true);
      }
      await Promise.all([page.waitForURL(/\/oauth\/callback\?/), page.click('#allow')]);
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
      await page.close();

      const first = await call;
      const result = first && !first.isError ? first : await remote.client.callTool({ name: 'whoami', arguments: {} });
      expect(JSON.stringify(result.structuredContent), remote.stderr()).toContain('"id":"acme/alice"');
      const users = await remote.client.callTool({ name: 'get_users', arguments: { owner: 'acme' } });
      expect(users.isError ?? false).toBe(false);
      expect(JSON.stringify(users.structuredContent)).toContain('"name":"bob"');
    } finally {
      await remote.close();
    }
  }, 120_000);
});
