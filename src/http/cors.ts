/** The CORS headers of an MCP answer to a request whose Origin was allowed (app.ts checks it first). */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'WWW-Authenticate, Mcp-Session-Id, X-Request-Id',
    Vary: 'Origin',
  };
}
