// mcp-remote (the npm package, at the version package.json pins) as a stdio MCP client would run it:
// started with the MCP URL, it signs in through the browser on the first call that needs a token.
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const proxy = fileURLToPath(new URL('../../node_modules/mcp-remote/dist/proxy.js', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Remote {
  client: Client;
  /** Resolves with the authorization URL mcp-remote asks the user to open. */
  authorizationUrl: Promise<string>;
  stderr(): string;
  /** Resolves once stderr matches (bounded). */
  waitForLog(re: RegExp, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts mcp-remote for `url` with its state in a scratch folder; the "browser" it opens only records the URL. */
export async function startMcpRemote(url: string, extraArgs: string[] = []): Promise<Remote> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-remote-'));
  // xdg-open (which mcp-remote's opener runs) honours $BROWSER: a script that opens nothing.
  const browser = join(dir, 'browser.sh');
  writeFileSync(browser, '#!/bin/sh\nexit 0\n');
  chmodSync(browser, 0o755);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [proxy, url, String(await freePort()), ...extraArgs],
    env: { PATH: process.env.PATH ?? '', HOME: dir, MCP_REMOTE_CONFIG_DIR: join(dir, 'auth'), BROWSER: browser, DISPLAY: '' },
    stderr: 'pipe',
  });
  let stderr = '';
  let found: (u: string) => void;
  const authorizationUrl = new Promise<string>((resolve) => (found = resolve));
  transport.stderr!.on('data', (d) => {
    stderr += String(d);
    const m = /Please authorize this client by visiting:\s*\n(\S+)/.exec(stderr);
    if (m) found(m[1]!);
  });
  const client = new Client({ name: 'mcp-remote-test', version: '1' });
  await client.connect(transport);
  const waitForLog = async (re: RegExp, ms = 20_000) => {
    const until = Date.now() + ms;
    while (!re.test(stderr)) {
      if (Date.now() > until) throw new Error(`mcp-remote did not log ${String(re)}:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { client, authorizationUrl, stderr: () => stderr, waitForLog, close: () => client.close() };
}
