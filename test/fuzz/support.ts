// What every fuzzed request must satisfy, whatever it was: a bounded answer below 500 that is a
// JSON-RPC message (or an empty 202), the request id echoed, and the process still serving.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Harness } from '../support/harness.js';

export const REQUEST_TIMEOUT_MS = 10_000;
/** Fuzz runs are correctness tests: the per-caller rate limits are switched off for them. */
export const FUZZ_ENV = { MCP_RATE_LIMIT_READS_PER_MINUTE: '0', MCP_RATE_LIMIT_WRITES_PER_MINUTE: '0', LOG_LEVEL: 'warn' };

export interface Answer {
  status: number;
  json: Record<string, any> | null;
}

/** One raw POST; a hang becomes a failed property (AbortSignal), not a stuck suite. */
export async function send(h: Harness, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(h.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  expect(res.status, `5xx for ${body.slice(0, 300)}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status === 202) {
    expect(text).toBe('');
    return { status: 202, json: null };
  }
  const ct = res.headers.get('content-type') ?? '';
  let json: Record<string, any>;
  if (ct.includes('text/event-stream')) {
    // A JSON-RPC answer carried as one SSE event.
    const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).filter(Boolean).at(-1) ?? '';
    json = JSON.parse(data);
  } else {
    json = JSON.parse(text);
  }
  expect(json.jsonrpc, text.slice(0, 300)).toBe('2.0');
  expect('result' in json || 'error' in json, text.slice(0, 300)).toBe(true);
  if (res.status >= 400) expect(json.error, text.slice(0, 300)).toBeDefined();
  if (json.error) {
    expect(Number.isInteger(json.error.code)).toBe(true);
    expect(typeof json.error.message).toBe('string');
    // Never a stack trace on the wire.
    expect(JSON.stringify(json.error)).not.toMatch(/\n\s+at |node:internal|\.ts:\d+:\d+/);
  }
  return { status: res.status, json };
}

/** The server still answers a plain ping after whatever came before. */
export async function stillServing(h: Harness): Promise<void> {
  const res = await send(h, JSON.stringify({ jsonrpc: '2.0', id: 'alive', method: 'ping' }));
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ jsonrpc: '2.0', id: 'alive', result: {} });
}

/** Nothing was added to Object.prototype (a __proto__ key that reached a merge would show here). */
export function prototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  expect(({} as Record<string, unknown>).owner).toBeUndefined();
}
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

/**
 * fc.assert settings: bounded runs and time, the seed overridable (FUZZ_SEED) to replay a failure, and a
 * failure report that names the seed and a truncated counterexample (a 1 MB body would drown the log).
 */
export function fuzzSettings<T>(numRuns: number, timeLimitMs: number): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED;
  return {
    numRuns,
    interruptAfterTimeLimit: timeLimitMs,
    endOnFailure: true,
    ...(seed ? { seed: Number(seed) } : {}),
    reporter(details) {
      if (!details.failed) return;
      const example = fc.stringify(details.counterexample);
      const cut = example.length > 1500 ? `${example.slice(0, 1500)}… (${example.length} characters)` : example;
      const cause = details.errorInstance instanceof Error ? `${details.errorInstance.message} ${String((details.errorInstance as { cause?: unknown }).cause ?? '')}` : String(details.errorInstance);
      throw new Error(`property failed after ${details.numRuns} runs; replay with FUZZ_SEED=${details.seed} (path ${details.counterexamplePath})\ncounterexample: ${cut}\n${cause}`);
    },
  };
}
