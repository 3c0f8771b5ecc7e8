import type { Logger } from 'pino';
import { banner } from '../banner.js';
import type { CasdoorTarget, Config } from '../config.js';
import { startServer, type RunningServer } from '../main.js';
import { ProbeFailure, type Probe } from '../ops/health.js';
import { checkCasdoor } from './check.js';
import { Report } from './report.js';

/** How long a failed start-up check stands before /readyz runs it again (a Casdoor may come back). */
const RECHECK_MS = 30_000;

/**
 * `check`'s probes, run once the server listens: each problem is printed with its fix, the server keeps
 * serving, and the probe keeps /readyz at 503 until a later run passes.
 */
export function startupCheck(config: Config, now: () => number = Date.now) {
  let problems: string[] = [];
  let at = 0;
  let running: Promise<Report> | undefined;
  let target: CasdoorTarget | undefined;
  const run = (): Promise<Report> => {
    running ??= (async () => {
      const report = new Report();
      await checkCasdoor(config, target!, report);
      problems = report.items.filter((i) => i.status === 'fail').map((i) => `${i.title} (fix: ${i.fix})`);
      at = now();
      return report;
    })().finally(() => (running = undefined));
    return running;
  };
  const probe: Probe = {
    name: 'start-up check',
    async run() {
      if (problems.length > 0 && target && now() - at >= RECHECK_MS) await run();
      // Anyone may read /readyz: a stable code there, the problems and their fixes in the log.
      if (problems.length > 0) throw new ProbeFailure('startup_check_failed', problems.join('; '));
    },
  };
  return {
    probe,
    /** Runs the checks against the Casdoor the server uses and returns the report. */
    start(server: RunningServer): Promise<Report> {
      target = config.casdoor ?? {
        ...server.sandbox!.demo,
        endpoint: server.sandbox!.url,
        issuer: server.sandbox!.issuer,
        jwksUrl: undefined,
      };
      return run();
    },
  };
}

/** The start-up check as the operator reads it: one line when all is well, else each problem and its fix. */
export function renderStartupCheck(report: Report): string {
  const total = report.items.length;
  if (report.failures === 0 && report.warnings === 0) return `Start-up check: all ${total} checks passed (casdoor-mcp check runs the same).`;
  const problems = new Report();
  problems.items.push(...report.items.filter((i) => i.status === 'fail' || i.status === 'warn'));
  const head = report.failures > 0
    ? 'Start-up check found problems. The server keeps serving, but /readyz answers 503 and tool calls may fail until they are fixed:'
    : 'Start-up check passed with warnings:';
  return `${head}\n${problems.render(false)}`;
}

/** `casdoor-mcp serve`: the HTTP server, until SIGINT or SIGTERM. Resolves with the exit code. */
export async function runServe(config: Config, logger: Logger, stdout: (text: string) => void, notes: readonly string[] = []): Promise<number> {
  const check = startupCheck(config);
  const running = await startServer(config, logger, [check.probe]);
  stdout(`${banner(running, notes)}\n`);
  void check.start(running).then(
    (report) => stdout(`\n${renderStartupCheck(report)}\n`),
    (err: unknown) => logger.error({ reason: err instanceof Error ? err.message : String(err) }, 'start-up check failed to run'),
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      running.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
