// The adapter's HTTP transport (src/casdoor/transport.ts) against a plain node:http server standing in
// for Casdoor: what reaches Casdoor (method, path, query, headers, body) and how each kind of failure
// comes back as a CasdoorError code, since the tool edge and /readyz act on those codes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCasdoorAdapter, type CasdoorAdapter } from '../../src/casdoor/adapter.js';
import { CasdoorError } from '../../src/casdoor/errors.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const seen: Seen[] = [];
let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = () => {};
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    answer(req, res);
  });
});
let endpoint = '';
const adapterFor = (timeoutMs = 2_000): CasdoorAdapter =>
  createCasdoorAdapter({ endpoint, clientId: 'cid', clientSecret: 'csecret', organization: 'built-in', application: 'app-mcp', timeoutMs });
const json = (value: unknown, status = 200) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
};
async function failureOf(run: () => Promise<unknown>): Promise<CasdoorError> {
  const err = await run().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CasdoorError);
  return err as CasdoorError;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the Casdoor transport', () => {
  it('sends a read with the id in the query and the server application as Basic, and reads the envelope', async () => {
    seen.length = 0;
    answer = json({ status: 'ok', msg: '', data: { owner: 'admin', name: 'acme portal', clientSecret: 's3' } });
    const app = await adapterFor().getApplication('acme portal');
    expect(app).toMatchObject({ name: 'acme portal', clientSecret: 's3' });
    const url = new URL(seen[0]!.url, endpoint);
    expect(seen[0]!.method).toBe('GET');
    expect(url.pathname).toBe('/api/get-application');
    expect(url.searchParams.get('id')).toBe('admin/acme portal');
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('cid:csecret').toString('base64')}`);
  });

  it('sends a write as a JSON body with its length, and a session lookup with the cookie alone', async () => {
    seen.length = 0;
    answer = json({ status: 'ok', msg: '', data: 'Affected' });
    await adapterFor().addApplication({ owner: 'admin', name: 'ünïcode', organization: 'built-in' } as never);
    expect(seen[0]!.method).toBe('POST');
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ name: 'ünïcode', organization: 'built-in' });
    expect(Number(seen[0]!.headers['content-length'])).toBe(Buffer.byteLength(seen[0]!.body));
    expect(seen[0]!.headers['content-type']).toMatch(/^application\/json/);

    answer = json({ status: 'ok', msg: '', data: { owner: 'built-in', name: 'alice' } });
    await adapterFor().getAccount('sess-1');
    expect(seen[1]!.headers.cookie).toBe('casdoor_session_id=sess-1');
    expect(seen[1]!.headers.authorization).toBeUndefined();
  });

  it('maps each failure to its stable code', async () => {
    answer = json({ error: 'boom' }, 500);
    expect(await failureOf(() => adapterFor().getApplication('a'))).toMatchObject({ code: 'casdoor_http', status: 500 });

    // Redirects are not followed: Casdoor's REST API answers in place, and a redirect goes elsewhere.
    answer = (_req, res) => void res.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere' }).end();
    expect(await failureOf(() => adapterFor().getApplication('a'))).toMatchObject({ code: 'casdoor_http', status: 302 });

    answer = (_req, res) => void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>');
    expect((await failureOf(() => adapterFor().getApplication('a'))).code).toBe('casdoor_bad_response');

    answer = () => {}; // never answers
    const slow = await failureOf(() => adapterFor(150).getApplication('a'));
    expect(slow.code).toBe('casdoor_timeout');
    expect(slow.message).toContain('150 ms');

    const closed = createCasdoorAdapter({ endpoint: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', organization: 'o', application: 'a', timeoutMs: 1_000 });
    expect((await failureOf(() => closed.getApplication('a'))).code).toBe('casdoor_unreachable');
  });

  it('keeps one connection for calls made one after another', async () => {
    answer = json({ status: 'ok', msg: '', data: { owner: 'admin', name: 'a', clientSecret: 'x' } });
    const adapter = adapterFor();
    const sockets = new Set<string>();
    const onConnection = (socket: import('node:net').Socket) => sockets.add(`${socket.remotePort}`);
    server.on('connection', onConnection);
    for (let i = 0; i < 5; i += 1) await adapter.getApplication('a');
    server.off('connection', onConnection);
    expect(sockets.size).toBe(1);
  });
});
