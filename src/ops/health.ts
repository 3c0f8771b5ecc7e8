import type { CasdoorAdapter } from '../casdoor/adapter.js';
import { CasdoorError } from '../casdoor/errors.js';

export interface ReadinessReport {
  ready: boolean;
  /**
   * Why not, one "probe: code" line per failed probe (e.g. "casdoor: casdoor_unreachable"); empty when
   * ready. Anyone may read /readyz, so these are stable codes only: no Casdoor text, no internal URL.
   */
  reasons: string[];
  /** The same failures with their full messages, for the operator's log only. */
  details: string[];
  checkedAt: string;
}

/** A probe failure: `code` is public (on /readyz), `message` goes to the log. */
export class ProbeFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function codeOf(err: unknown): string {
  if (err instanceof ProbeFailure || err instanceof CasdoorError) return err.code;
  return 'probe_failed';
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

export function createReadiness(
  probes: readonly Probe[],
  cacheMs: number,
  now: () => number = Date.now,
  onFailure: (details: string[]) => void = () => {},
): Readiness {
  let last: { report: ReadinessReport; at: number } | undefined;
  let running: Promise<ReadinessReport> | undefined;

  async function probeAll(): Promise<ReadinessReport> {
    const results = await Promise.allSettled(probes.map((p) => p.run()));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ name: probes[i]!.name, err: r.reason as unknown }] : []));
    const reasons = failed.map((f) => `${f.name}: ${codeOf(f.err)}`);
    const details = failed.map((f) => `${f.name}: ${f.err instanceof Error ? f.err.message : String(f.err)}`);
    if (details.length > 0) onFailure(details);
    return { ready: reasons.length === 0, reasons, details, checkedAt: new Date(now()).toISOString() };
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
      if (!org) throw new ProbeFailure('organization_not_found', `organization ${organization} (CASDOOR_ORGANIZATION) not found`);
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
        throw new ProbeFailure('jwks_unreachable', `${jwksUrl} unreachable`);
      }
      if (!res.ok) throw new ProbeFailure('jwks_http_error', `${jwksUrl} answered HTTP ${res.status}`);
      const body = (await res.json().catch(() => undefined)) as { keys?: unknown } | undefined;
      if (!Array.isArray(body?.keys) || body.keys.length === 0) throw new ProbeFailure('jwks_no_keys', `${jwksUrl} holds no keys`);
    },
  };
}
