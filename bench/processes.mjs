// The processes under test: our server (`node dist/src/cli.js serve`, as an operator runs it) and the
// bare Hono baseline, each in its own child process, plus what is read about them from /proc.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MB = 1024 * 1024;

/** A port the OS says is free now (bound to 0 and released), so the server can be polled from spawn on. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The node flags of package.json's start script (`node <flags> dist/src/cli.js serve`), so both run alike. */
export const START_NODE_FLAGS = (() => {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const m = /^node((?:\s+--\S+)*)\s+dist\/src\/cli\.js serve$/.exec(start);
  if (!m) throw new Error(`package.json's start script is not "node [flags] dist/src/cli.js serve": ${start}`);
  return m[1].split(/\s+/).filter(Boolean);
})();

/** The environment without the server's own settings, so the run always uses the built-in sandbox. */
function operatorEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CASDOOR_|MCP_)/.test(k)));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Watches a child: remembers how it exited, so a crash mid-run is reported rather than guessed. */
function watch(child, name) {
  const state = { name, exit: undefined };
  child.once('exit', (code, signal) => {
    state.exit = { code, signal };
  });
  return state;
}

/**
 * Spawns the server on `port` and polls an anonymous tools/list every 5 ms from the moment of spawn;
 * `startMs` is the time to the first 200 with a tool list. Parses the banner for the sandbox details.
 */
export async function startOurServer(port, { timeoutMs = 20_000, cli = 'dist/src/cli.js', sandbox, env = {} } = {}) {
  const t0 = performance.now();
  // The heap settings `npm start` runs with (docs/deployment.md), then BENCH_SERVER_NODE_ARGS: extra
  // node flags for the server only (e.g. --cpu-prof), for investigations.
  const nodeArgs = [...START_NODE_FLAGS, ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...nodeArgs, cli, 'serve'], {
    cwd: ROOT,
    // Rate limits at their maximum: the limiter still runs on every request, but never refuses one.
    env: {
      ...operatorEnv(),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SANDBOX_DATA_DIR: 'off',
      SANDBOX_PORT: '0',
      MCP_RATE_LIMIT_READS_PER_MINUTE: '1000000',
      MCP_RATE_LIMIT_WRITES_PER_MINUTE: '1000000',
      // The sandbox in its own process (bench/sandbox.mjs), as a real Casdoor would be.
      ...(sandbox
        ? {
            CASDOOR_ENDPOINT: sandbox.url,
            CASDOOR_CLIENT_ID: sandbox.demo.clientId,
            CASDOOR_CLIENT_SECRET: sandbox.demo.clientSecret,
            CASDOOR_APPLICATION: sandbox.demo.application,
            CASDOOR_ORGANIZATION: sandbox.demo.organization,
            CASDOOR_ISSUER: sandbox.issuer,
          }
        : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = watch(child, 'server');
  let stdout = '';
  // Log lines are counted; only the last few are kept (a refusal may be logged on every request).
  const logLines = { count: 0, last: [] };
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    const lines = String(d).split('\n').filter(Boolean);
    logLines.count += lines.length;
    logLines.last = [...logLines.last, ...lines].slice(-20);
  });

  const url = `http://127.0.0.1:${port}/mcp`;
  let startMs;
  while (performance.now() - t0 < timeoutMs && state.exit === undefined) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      });
      const json = res.status === 200 ? await res.json() : undefined;
      if (Array.isArray(json?.result?.tools) && json.result.tools.length > 0) {
        startMs = performance.now() - t0;
        break;
      }
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  if (startMs === undefined) {
    child.kill('SIGKILL');
    throw new Error(`the server did not answer tools/list within ${timeoutMs} ms${state.exit ? ` (exited ${JSON.stringify(state.exit)})` : ''}\n${logLines.last.join('\n')}`);
  }
  // The banner is written right after the listener is ready; give stdout a moment to arrive.
  for (let i = 0; i < 200 && !stdout.includes(sandbox ? 'listening' : 'Demo client secret'); i += 1) await sleep(10);
  const field = (re) => {
    const m = re.exec(stdout);
    if (!m) throw new Error(`banner lacks ${re}: ${stdout}`);
    return m[1];
  };
  const tokenEndpoint = sandbox ? sandbox.tokenEndpoint : field(/Sandbox token endpoint: (\S+)/);
  return {
    child,
    pid: child.pid,
    state,
    logLines,
    url: field(/listening: (\S+)/),
    sandboxUrl: new URL(tokenEndpoint).origin,
    tokenEndpoint,
    clientId: sandbox ? sandbox.demo.clientId : field(/Demo client id: +(\S+)/),
    clientSecret: sandbox ? sandbox.demo.clientSecret : field(/Demo client secret: +(\S+)/),
    startMs,
  };
}

/** Spawns the sandbox Casdoor in its own process (bench/sandbox.mjs) and reads its details. */
export async function startSandboxProcess(port) {
  const child = spawn(process.execPath, ['bench/sandbox.mjs', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const state = watch(child, 'sandbox');
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the sandbox did not start within 10 s')), 10_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    child.once('exit', (code) => reject(new Error(`the sandbox exited with ${code}`)));
  });
  return { child, pid: child.pid, state, ...info };
}

/** A throwaway redis-server on loopback (no persistence), or undefined when none is installed. */
export async function startRedisServer(port) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const state = watch(child, 'redis');
  const ok = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('error', () => resolve(false));
    child.once('exit', () => resolve(false));
  });
  if (!ok) {
    child.kill('SIGKILL');
    return undefined;
  }
  return { child, pid: child.pid, state, url: `redis://127.0.0.1:${port}` };
}

/** A bench script of ours (a baseline) in a child process, once it prints "listening"; `url` is where it answers. */
async function startScript(name, script, args, port) {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const state = watch(child, name);
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${name} did not start within 10 s`)), 10_000);
    child.stdout.on('data', (d) => {
      if (String(d).includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the ${name} exited with ${code}`)));
  });
  return { child, pid: child.pid, state, url: `http://127.0.0.1:${port}/mcp` };
}

/** Case a: the bare Hono baseline serving the bytes in `bodyFile`. */
export const startBaseline = (bodyFile, port) => startScript('baseline', 'bench/baseline.mjs', [bodyFile, String(port)], port);

/** Case g: the bare relay (bench/relay.mjs) in front of the sandbox, making the same call as case d. */
export const startRelay = (port, casdoorUrl, authorization) => startScript('relay', 'bench/relay.mjs', [String(port), casdoorUrl, authorization], port);

/** Resident set size now and its high-water mark (VmHWM: the peak since the process started), in MB. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: (kb('VmRSS') * 1024) / MB, peakMb: (kb('VmHWM') * 1024) / MB };
}

/** CPU time (user + system) the process has used so far, in seconds; /proc counts in 1/100 s ticks. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * TCP sockets whose remote end is `port` on loopback, by state, from /proc/net/tcp: the client side
 * of connections to that port. Used to see whether the server keeps its connections to Casdoor alive.
 */
export function clientSockets(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const out = { established: new Set(), timeWait: 0 };
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || !cols[2].endsWith(`:${hex}`)) continue;
      if (cols[3] === '01') out.established.add(cols[1]);
      else if (cols[3] === '06') out.timeWait += 1;
    }
  }
  return out;
}

/** Stops a child with SIGTERM, then SIGKILL after 5 s. */
export async function stop(proc) {
  if (!proc || proc.state.exit !== undefined) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
