import type { RunningServer } from './main.js';

/** What `npm start` prints: where to connect, and one command that proves it works. */
export function banner(s: RunningServer): string {
  const lines = [`casdoor-mcp is listening: ${s.url}`, `  Casdoor: ${s.casdoorEndpoint}${s.sandbox ? ' (built-in sandbox, in memory)' : ''}`];
  if (s.sandbox) {
    const { clientId, clientSecret } = s.sandbox.demo;
    lines.push(
      `  Sandbox token endpoint: ${s.sandbox.tokenEndpoint}`,
      `  Demo client id:     ${clientId}`,
      `  Demo client secret: ${clientSecret}`,
      '',
      'Get a client_credentials token and list the tools it grants:',
      '',
      `  TOKEN=$(curl -s -u '${clientId}:${clientSecret}' -d grant_type=client_credentials -d 'scope=read:application write:application' ${s.sandbox.tokenEndpoint} | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).access_token') && curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' ${s.url}`,
      '',
      `Sign-in users (password grant or POST /api/login): built-in/admin (global admin), acme/alice (admin of acme), acme/bob (user).`,
    );
  }
  return lines.join('\n');
}
