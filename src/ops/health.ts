import type { CasdoorAdapter } from '../casdoor/adapter.js';

export interface ReadinessReport {
  ready: boolean;
  /** Why not, one line per failed probe; empty when ready. */
  reasons: string[];
  checkedAt: string;
}

export interface Readiness {
  /** The last report if younger than the cache period, else a fresh probe (concurrent callers share it). */
  check(): Promise<ReadinessReport>;
}

export interface Probe {
  name: string;
  /** Resolves when healthy; rejects with an Error whose message says what is wrong. */
  run(): Promise<void>;
}

export function createReadiness(probes: readonly Probe[], cacheMs: number, now: () => number = Date.now): Readiness {
  let last: { report: ReadinessReport; at: number } | undefined;
  let running: Promise<ReadinessReport> | undefined;

  async function probeAll(): Promise<ReadinessReport> {
    const results = await Promise.allSettled(probes.map((p) => p.run()));
    const reasons = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${probes[i]!.name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : [],
    );
    return { ready: reasons.length === 0, reasons, checkedAt: new Date(now()).toISOString() };
  }

  return {
    check() {
      if (last && now() - last.at < cacheMs) return Promise.resolve(last.report);
      running ??= probeAll()
        .then((report) => {
          last = { report, at: now() };
          return report;
        })
        .finally(() => (running = undefined));
      return running;
    },
  };
}

/** Casdoor answers an authenticated call as the server's own application (a wrong secret fails it too). */
export function casdoorProbe(casdoor: CasdoorAdapter, organization: string): Probe {
  return {
    name: 'casdoor',
    async run() {
      const org = await casdoor.getOrganization(organization);
      if (!org) throw new Error(`organization ${organization} (CASDOOR_ORGANIZATION) not found`);
    },
  };
}

/** The JWKS answers with at least one key, so tokens can be verified. */
export function jwksProbe(jwksUrl: string, timeoutMs = 5_000): Probe {
  return {
    name: 'jwks',
    async run() {
      let res: Response;
      try {
        res = await fetch(jwksUrl, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } });
      } catch {
        throw new Error(`${jwksUrl} unreachable`);
      }
      if (!res.ok) throw new Error(`${jwksUrl} answered HTTP ${res.status}`);
      const body = (await res.json().catch(() => undefined)) as { keys?: unknown } | undefined;
      if (!Array.isArray(body?.keys) || body.keys.length === 0) throw new Error(`${jwksUrl} holds no keys`);
    },
  };
}
