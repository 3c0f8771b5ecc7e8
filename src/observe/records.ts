import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CasdoorAdapter } from '../casdoor/adapter.js';
import { CasdoorError } from '../casdoor/errors.js';
import type { CasdoorRecord } from '../casdoor/types.js';
import type { AuditEntry, AuditSink } from '../ops/audit.js';
import type { RequestScope } from '../ops/request-context.js';
import type { Metrics } from './metrics.js';

/**
 * CASDOOR_RECORDS: each write tool call becomes an entry of Casdoor's records table (add-record), so
 * Casdoor's own UI shows who acted through the agent. Casdoor attributes the server's own calls to
 * the server's application; the record names the caller the server resolved instead.
 *
 * Fire and forget: the audit sink only queues (bounded; a full queue drops and counts), and a few
 * senders drain the queue outside the request, so a slow or failing Casdoor never slows or fails a call.
 */
export interface CasdoorRecorder {
  readonly sink: AuditSink;
  /** Resolves once every queued record has been sent or has failed (shutdown; tests). */
  drain(): Promise<void>;
}

export interface RecorderOptions {
  casdoor: Pick<CasdoorAdapter, 'addRecord'>;
  /** Whether a tool writes (add, update, delete of any family). */
  isWrite(tool: string): boolean;
  /** Where application callers' records go: Casdoor drops records of its pseudo-organization "app". */
  ownOrganization: string;
  /** The MCP endpoint's path (the record's requestUri), e.g. /mcp. */
  mcpPath: string;
  metrics: Metrics;
  logger: Logger;
  queueSize?: number;
  senders?: number;
  now?: () => Date;
}

/** Refused before the caller is known, or a flood a rate limit stopped: nothing for Casdoor to show. */
const NOT_RECORDED = new Set(['rate_limited', 'invalid_token', 'unauthorized', 'origin_not_allowed']);

export function createCasdoorRecorder(options: RecorderOptions): CasdoorRecorder {
  const { casdoor, metrics, logger } = options;
  const queueSize = options.queueSize ?? 1000;
  const senders = options.senders ?? 4;
  const now = options.now ?? (() => new Date());
  const log = logger.child({ component: 'casdoor-records' });
  const queue: CasdoorRecord[] = [];
  let inFlight = 0;
  let failing = false;
  let idle: Array<() => void> = [];
  let scheduled = false;

  async function send(record: CasdoorRecord): Promise<void> {
    try {
      await casdoor.addRecord(record);
      metrics.casdoorRecord('sent');
      if (failing) log.info('Casdoor takes records again');
      failing = false;
    } catch (err) {
      metrics.casdoorRecord('failed');
      // Once per run of failures: a Casdoor that is down must not fill the log.
      if (!failing) log.warn({ code: err instanceof CasdoorError ? err.code : 'error', reason: (err as Error).message }, 'Casdoor refused or missed a record of a write tool call');
      failing = true;
    }
  }

  // Bound at creation, outside any request: the senders never run in (or keep alive) a request's context.
  const pump = AsyncResource.bind(function pump(): void {
    scheduled = false;
    while (inFlight < senders && queue.length > 0) {
      inFlight += 1;
      void send(queue.shift()!).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
    if (inFlight === 0 && queue.length === 0) {
      const waiting = idle;
      idle = [];
      for (const resolve of waiting) resolve();
    }
  });

  function sink(scope: RequestScope, entry: AuditEntry, about: { tool?: string; target?: string; organization?: string }): void {
    const caller = scope.caller;
    if (scope.method !== 'tools/call' || !about.tool || !options.isWrite(about.tool)) return;
    if (!caller || caller.kind === 'anonymous' || NOT_RECORDED.has(entry.outcome)) return;
    if (queue.length >= queueSize) {
      metrics.casdoorRecord('dropped');
      return;
    }
    const p = caller.principal;
    // Casdoor resolves an application caller as the user app/<name>, of an organization it does not keep records for.
    const organization = p.type === 'user' ? p.owner : options.ownOrganization;
    const user = p.type === 'user' ? p.name : `app/${p.name}`;
    const query = `tool=${encodeURIComponent(about.tool)}${about.target ? `&id=${encodeURIComponent(about.target).replace(/%2F/g, '/')}` : ''}`;
    const failure = entry.outcome === 'ok' ? '' : [entry.outcome, entry.rule, scope.casdoor?.error].filter(Boolean).join(': ');
    queue.push({
      owner: organization,
      name: randomUUID(),
      createdTime: now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      organization,
      clientIp: scope.clientAddress ?? '',
      user,
      method: 'POST',
      requestUri: `${scope.transport === 'stdio' ? 'stdio' : options.mcpPath}?${query}`,
      action: about.tool,
      language: '',
      // Identifiers only, as in the audit log: never the arguments, which may carry secrets.
      object: JSON.stringify({
        tool: about.tool,
        ...(about.target ? { target: about.target } : {}),
        ...(about.organization ? { organization: about.organization } : {}),
        caller: { subject: p.id, auth: scope.via ?? caller.kind, ...(caller.kind === 'token' && caller.clientId ? { clientId: caller.clientId } : {}) },
        requestId: scope.requestId,
        transport: scope.transport,
      }),
      response: JSON.stringify({
        status: entry.outcome === 'ok' ? 'ok' : 'error',
        msg: failure,
        outcome: entry.outcome,
        ...(scope.casdoor ? { casdoor: scope.casdoor } : {}),
      }),
      statusCode: entry.httpStatus ?? 200,
      isTriggered: false,
    });
    // Sent after the reply is on its way: not even the request's serialisation happens on the call's path.
    if (!scheduled) {
      scheduled = true;
      setImmediate(pump);
    }
  }

  return {
    sink,
    drain: () => (inFlight === 0 && queue.length === 0 && !scheduled ? Promise.resolve() : new Promise((resolve) => idle.push(resolve))),
  };
}
