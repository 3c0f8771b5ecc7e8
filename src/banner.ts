import scopesJson from '../scopes.json' with { type: 'json' };
import type { RunningServer } from './main.js';

/** The seeded sign-ins that still exist and may sign in (so the banner never offers a dead one). */
function demoUsers(s: RunningServer): string[] {
  const rows = (s.sandbox?.demo.users ?? []).flatMap(({ id, password }) => {
    const u = s.sandbox!.store.users.get(id);
    if (!u || u.isForbidden || u.isDeleted) return [];
    const role = u.isAdmin ? (u.owner === 'built-in' ? 'global administrator' : `administrator of ${u.owner}`) : `user of ${u.owner}`;
    return [[id, password, role]];
  });
  const w0 = Math.max(0, ...rows.map((r) => r[0]!.length));
  const w1 = Math.max(0, ...rows.map((r) => r[1]!.length));
  return rows.map(([id, pw, role]) => `  ${id!.padEnd(w0)}  ${pw!.padEnd(w1)}  ${role}`);
}

/** What `npm start` prints: where to connect, who can sign in, and one command that proves it works. */
export function banner(s: RunningServer, notes: readonly string[] = []): string {
  const lines = [`casdoor-mcp is listening: ${s.url}`];
  if (!s.sandbox) {
    lines.push(`  Casdoor: ${s.casdoorEndpoint}`, ...notes.map((n) => `  ${n}`));
    return lines.join('\n');
  }
  const { clientId, clientSecret, application, organization } = s.sandbox.demo;
  const every = Object.keys(scopesJson.scopes).join(' ');
  lines.push(
    `  Casdoor: ${s.casdoorEndpoint} (the built-in SANDBOX, a demo Casdoor: CASDOOR_ENDPOINT is not set)`,
    `  ${s.sandbox.dataDir ? `Sandbox data: ${s.sandbox.dataDir} (kept across restarts; casdoor-mcp serve --fresh starts over)` : 'Sandbox data: in memory only (gone when the server stops)'}`,
    ...notes.map((n) => `  ${n}`),
    `  Sign-in page: ${s.sandbox.url}/login/oauth/authorize (MCP clients open it when they connect without a token)`,
    `  Sandbox token endpoint: ${s.sandbox.tokenEndpoint}`,
    `  Application: ${application} (organization ${organization})`,
    `  Demo client id:     ${clientId}`,
    `  Demo client secret: ${clientSecret}`,
    '',
    'Demo users (sign-in page, or the password grant with username organization/name):',
    ...demoUsers(s),
    '',
    'A token with every scope, and the tools it grants:',
    '',
    `  TOKEN=$(curl -s -u '${clientId}:${clientSecret}' -d grant_type=client_credentials -d 'scope=${every}' ${s.sandbox.tokenEndpoint} | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).access_token') && curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' ${s.url}`,
  );
  return lines.join('\n');
}
