import http from 'node:http';
import https from 'node:https';

/**
 * The HTTP transport under casdoor-nodejs-sdk: an axios adapter on node:http with keep-alive agents.
 * axios's own Node adapter (redirects, proxies from the environment, decompression, streams) cost
 * about 0.3 ms per Casdoor call measured one at a time (bench/experiments/adapter-cost.mjs), which
 * every tools/call pays; Casdoor's REST API needs none of it. axios still merges the configuration,
 * serializes bodies and parses JSON answers; this adapter only moves bytes and applies validateStatus.
 *
 * It answers as axios's adapter does where the adapter module reads errors: `response.status` on an
 * HTTP error, code ECONNABORTED on a timeout, the socket's code otherwise.
 */

/** The part of axios's request config this adapter reads. */
interface AdapterConfig {
  baseURL?: string;
  url?: string;
  method?: string;
  params?: Record<string, unknown>;
  headers?: { toJSON?(): Record<string, unknown> } & Record<string, unknown>;
  data?: unknown;
  timeout?: number;
  validateStatus?: ((status: number) => boolean) | null;
}

export interface AdapterResponse {
  data: string;
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  config: AdapterConfig;
  request: http.ClientRequest;
}

/** Every Casdoor answer is JSON of bounded size; a larger one is refused rather than buffered. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function fullUrl(config: AdapterConfig): URL {
  const path = config.url ?? '';
  // axios joins baseURL and a relative path by concatenation ("…/api" + "/get-account"), not URL resolution.
  if (!config.baseURL || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return withParams(new URL(path), config.params);
  return withParams(new URL(`${config.baseURL.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`), config.params);
}

function withParams(url: URL, params: AdapterConfig['params']): URL {
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    url.searchParams.append(key, String(value));
  }
  return url;
}

function headersOf(config: AdapterConfig): Record<string, string> {
  const all = typeof config.headers?.toJSON === 'function' ? config.headers.toJSON() : (config.headers ?? {});
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(all)) {
    if (value === undefined || value === null || value === false || typeof value === 'function') continue;
    out[key] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function failure(message: string, code: string | undefined, response?: AdapterResponse): Error {
  return Object.assign(new Error(message), { isAxiosError: true, code, ...(response ? { response } : {}) });
}

export function createNodeAdapter(): (config: AdapterConfig) => Promise<AdapterResponse> {
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }) };
  return function nodeAdapter(config) {
    return new Promise((resolve, reject) => {
      const url = fullUrl(config);
      const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
      if (!client) return reject(failure(`unsupported protocol ${url.protocol}`, 'ERR_BAD_REQUEST'));
      const body = config.data === undefined || config.data === null ? undefined : typeof config.data === 'string' ? config.data : JSON.stringify(config.data);
      const headers = headersOf(config);
      if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
      const req = client.request(url, { method: (config.method ?? 'get').toUpperCase(), headers, agent: agents[url.protocol as 'http:' | 'https:'] });
      // The whole exchange within the timeout, as axios's own timeout means.
      const timer = config.timeout ? setTimeout(() => req.destroy(failure(`timeout of ${config.timeout}ms exceeded`, 'ECONNABORTED')), config.timeout) : undefined;
      const fail = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject('isAxiosError' in err ? err : failure(err.message, err.code));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(failure(`answer larger than ${MAX_RESPONSE_BYTES} bytes`, 'ERR_BAD_RESPONSE'));
          else chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          const response: AdapterResponse = { data: Buffer.concat(chunks, size).toString('utf8'), status, statusText: res.statusMessage ?? '', headers: res.headers, config, request: req };
          const valid = config.validateStatus ? config.validateStatus(status) : status >= 200 && status < 300;
          if (valid) resolve(response);
          else reject(failure(`Request failed with status code ${status}`, status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST', response));
        });
      });
      req.end(body);
    });
  };
}
