// Token forgery helpers for the adversarial suite. Every forged token starts from the claims of a
// real sandbox token, so each case differs from a valid token in exactly the way its name says.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importPKCS8, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { Sandbox } from '../../src/sandbox/index.js';

export type Claims = Record<string, unknown>;
export type Header = Record<string, unknown>;

export const b64u = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export const parts = (token: string): [string, string, string] => token.split('.') as [string, string, string];
export const claimsOf = (token: string): Claims => decodeJwt(token) as Claims;
export const headerOf = (token: string): Header => decodeProtectedHeader(token) as Header;

/** A JWS with the given header and claims and a signature that is whatever is passed (default none). */
export const unsigned = (header: Header, claims: Claims, signature = ''): string => `${b64u(header)}.${b64u(claims)}.${signature}`;

export async function sign(key: CryptoKey | Uint8Array, header: Header, claims: Claims): Promise<string> {
  return new SignJWT(claims as JWTPayload).setProtectedHeader(header as { alg: string }).sign(key);
}

/** The sandbox's real signing key (Casdoor keeps it in the cert row), for tokens that differ only in a header. */
export async function sandboxKey(sandbox: Sandbox): Promise<CryptoKey> {
  const cert = sandbox.store.certs.get('admin/cert-built-in');
  if (!cert) throw new Error('sandbox has no cert-built-in');
  return importPKCS8(cert.privateKey, 'RS256');
}

export const sandboxPublicPem = (sandbox: Sandbox): string => sandbox.store.certs.get('admin/cert-built-in')!.certificate;

/** An RSA key the server has never seen, with its public JWK. */
export async function strangerKey(): Promise<{ privateKey: CryptoKey; jwk: Record<string, unknown> }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig' } };
}

/** A loopback server that serves an attacker's JWKS and counts every request it gets. */
export async function attackerHost(jwks: unknown): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** A POST with raw headers, repeated names kept (fetch would fold two Authorization headers into one). */
export function rawPost(url: string, rawHeaders: [string, string][], body: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }> {
  const target = new URL(url);
  const payload = JSON.stringify(body);
  const flat = [
    // With raw (array) headers Node adds no Host header itself.
    ['Host', target.host], ['Content-Type', 'application/json'], ['Accept', 'application/json, text/event-stream'],
    ['Content-Length', String(Buffer.byteLength(payload))], ...rawHeaders,
  ].flat();
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', headers: flat }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
