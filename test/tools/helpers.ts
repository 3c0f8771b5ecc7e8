import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { Harness } from '../support/harness.js';

export type Json = Record<string, any>;

export const structured = (r: unknown): Json => (r as { structuredContent: Json }).structuredContent;
export const text = (r: unknown): string => (r as { content: { text: string }[] }).content[0]!.text;

/** The JSON-RPC error code inside an SDK client's error (an HTTP 403 carries the JSON body in its message). */
export function rpcCodeOf(err: unknown): number | undefined {
  const m = /"code":(-?\d+)/.exec(String((err as Error)?.message ?? err));
  return m ? Number(m[1]) : (err as { code?: number }).code;
}

export type ElicitHandler = (request: ElicitRequest, extra: { requestId: string | number }) => Promise<ElicitResult>;

/**
 * A real SDK Client over Streamable HTTP that validates results against the listed output schemas.
 * With `elicit`, it declares the elicitation capability and answers elicitation/create with the handler.
 */
export async function mcpClient(h: Harness, headers: Record<string, string>, elicit?: ElicitHandler): Promise<Client> {
  const client = new Client({ name: 'casdoor-mcp-tool-tests', version: '0' }, { capabilities: elicit ? { elicitation: {} } : {} });
  if (elicit) client.setRequestHandler(ElicitRequestSchema, (req, extra) => elicit(req, { requestId: extra.requestId }));
  await client.connect(new StreamableHTTPClientTransport(new URL(h.url), { requestInit: { headers } }));
  // Listing first makes the client check every structuredContent against the tool's outputSchema.
  await client.listTools();
  return client;
}

export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
export const cookie = (value: string): Record<string, string> => ({ Cookie: `casdoor_session_id=${value}` });

/** Every message of an SSE response body, in order, as parsed JSON. */
export async function* sseMessages(res: Response): AsyncGenerator<Json> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = event
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (data) yield JSON.parse(data) as Json;
    }
  }
}
