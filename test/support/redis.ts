import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe } from 'vitest';
import { connectRedis, type RedisStore } from '../../src/store/redis.js';

/** Whether redis-server is installed (CI installs it from Debian's packages: .ci/run). */
export const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;

/** For blocks that need a real Redis: skipped where redis-server is missing, except in CI, where that fails. */
export const describeRedis = hasRedis || process.env.CI === 'true' ? describe : describe.skip;

/**
 * Inside one describe block: a redis-server of its own and two stores on it, as two instances of the
 * server would hold them; all closed after the block. Read the fields inside tests, not at definition.
 */
export function redisPair(): { redis: TestRedis; a: RedisStore; b: RedisStore } {
  const pair = {} as { redis: TestRedis; a: RedisStore; b: RedisStore };
  const logger = pino({ level: 'silent' });
  beforeAll(async () => {
    pair.redis = await startRedis();
    pair.a = await connectRedis({ url: pair.redis.url, logger });
    pair.b = await connectRedis({ url: pair.redis.url, logger });
  });
  afterAll(async () => {
    await pair.a?.close();
    await pair.b?.close();
    await pair.redis?.stop();
  });
  return pair;
}

/** A free loopback port: redis-server cannot bind port 0 and report it, so probe one first. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server on loopback, without persistence, that can be stopped and started again on its port. */
export interface TestRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      await new Promise<void>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
        proc.stdout!.on('data', (d: Buffer) => {
          out += String(d);
          if (out.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        });
        proc.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited with ${code}: ${out}`));
        });
      });
    },
    async stop() {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
    },
  };
  await redis.start();
  return redis;
}
