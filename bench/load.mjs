// One load run with autocannon (programmatic, in this process). Latencies are recorded here from
// autocannon's per-response timings in fractional milliseconds: its own histogram keeps whole
// milliseconds, too coarse for loopback latencies well under one.
import autocannon from 'autocannon';

/** Nearest-rank percentile of an ascending Float64Array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Runs one load and counts everything that is not the expected status as an error.
 * @param {object} o
 * @param {string} o.url
 * @param {number} o.connections
 * @param {number} [o.durationS] run for this long, or
 * @param {number} [o.amount] send this many requests, stopping anyway after `maxS`
 * @param {number} [o.maxS]
 * @param {Record<string, string>} [o.headers]
 * @param {string} [o.body]
 * @param {string} [o.method]
 * @param {object[]} [o.requests] autocannon's request sequence, cycled per connection
 * @param {number[]} o.expectStatus
 * @param {boolean} [o.record] keep latencies (default true)
 */
export async function load(o) {
  const latencies = [];
  const record = o.record !== false;
  const statusCodes = {};
  let responses = 0;
  let unexpected = 0;
  const opts = {
    url: o.url,
    connections: o.connections,
    pipelining: 1,
    method: o.method ?? 'POST',
    headers: o.headers ?? {},
    timeout: 10,
    ...(o.body === undefined ? {} : { body: o.body }),
    ...(o.requests ? { requests: o.requests } : {}),
    ...(o.amount ? { amount: o.amount } : { duration: o.durationS }),
  };
  const t0 = performance.now();
  const instance = autocannon(opts);
  instance.on('response', (_client, status, _bytes, ms) => {
    responses += 1;
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    if (!o.expectStatus.includes(status)) unexpected += 1;
    if (record) latencies.push(ms);
  });
  const cap = o.maxS ? setTimeout(() => instance.stop(), o.maxS * 1000) : undefined;
  const result = await new Promise((resolve, reject) => instance.then(resolve, reject));
  clearTimeout(cap);
  const elapsedS = (performance.now() - t0) / 1000;

  const sorted = Float64Array.from(latencies).sort();
  const transport = result.errors + result.timeouts;
  const errors = transport + unexpected;
  return {
    connections: o.connections,
    requests: responses,
    elapsedS,
    rps: responses / elapsedS,
    latencyMs: latencySummary(sorted),
    errors,
    errorRate: errors / Math.max(1, responses + transport),
    errorDetail: { connection: result.errors, timeouts: result.timeouts, unexpectedStatus: unexpected },
    statusCodes,
    latencies: sorted,
  };
}

/** Merges rounds of the same case: requests and time add up, latencies are pooled. */
export function merge(rounds) {
  const all = new Float64Array(rounds.reduce((n, r) => n + r.latencies.length, 0));
  let at = 0;
  for (const r of rounds) {
    all.set(r.latencies, at);
    at += r.latencies.length;
  }
  all.sort();
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const elapsedS = rounds.reduce((n, r) => n + r.elapsedS, 0);
  const errors = rounds.reduce((n, r) => n + r.errors, 0);
  const transport = rounds.reduce((n, r) => n + r.errorDetail.connection + r.errorDetail.timeouts, 0);
  const statusCodes = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + v;
  return {
    connections: rounds[0].connections,
    rounds: rounds.length,
    requests,
    elapsedS,
    rps: requests / elapsedS,
    latencyMs: latencySummary(all),
    errors,
    errorRate: errors / Math.max(1, requests + transport),
    errorDetail: {
      connection: rounds.reduce((n, r) => n + r.errorDetail.connection, 0),
      timeouts: rounds.reduce((n, r) => n + r.errorDetail.timeouts, 0),
      unexpectedStatus: rounds.reduce((n, r) => n + r.errorDetail.unexpectedStatus, 0),
    },
    statusCodes,
    rpsPerRound: rounds.map((r) => Math.round(r.rps)),
  };
}

/** p50, p99, p99.9, mean and max of latencies sorted ascending (ms). */
function latencySummary(sorted) {
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p99_9: percentile(sorted, 99.9),
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}
