import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export { PREFIX } from './prefix.js';

/**
 * The Redis connections of one instance: one for commands, one for subscriptions (a subscribed
 * connection can do nothing else). Commands fail fast while Redis is unreachable (no offline queue,
 * a short timeout), so callers fall back to local state at once; ioredis reconnects by itself.
 */
export interface RedisStore {
  /** Names this instance in elicitation ids and its answer channel. */
  readonly instanceId: string;
  /** True while the command connection is ready. */
  readonly up: boolean;
  readonly redis: Redis;
  /** Runs a command; on failure marks the store degraded and rethrows. */
  run<T>(command: (redis: Redis) => Promise<T>): Promise<T>;
  /** Subscribes to one channel for the life of the store (re-subscribed after reconnects). */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

export interface RedisStoreOptions {
  url: string;
  logger: Logger;
  /** Told when the store goes up or down (the shared_store_up metric). */
  onState?: (up: boolean) => void;
  /** How long a command may take before it counts as failed. Default 500 ms. */
  commandTimeoutMs?: number;
  /** How long start-up waits for the first connection before serving degraded. Default 3 s. */
  connectWaitMs?: number;
}

export async function connectRedis(options: RedisStoreOptions): Promise<RedisStore> {
  const log = options.logger.child({ component: 'shared-store' });
  const base: RedisOptions = {
    connectTimeout: 2_000,
    // Back off to at most 2 s between attempts; never give up.
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
    lazyConnect: true,
  };
  const redis = new Redis(options.url, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: options.commandTimeoutMs ?? 500 });
  // The subscriber queues its SUBSCRIBE until connected, and ioredis re-subscribes after a reconnect.
  const subscriber = new Redis(options.url, { ...base, maxRetriesPerRequest: null, autoResubscribe: true });
  const handlers = new Map<string, (message: string) => void>();
  let up = false;
  let everUp = false;
  let closing = false;

  const setUp = (next: boolean, reason?: string): void => {
    if (next === up || closing) return;
    up = next;
    options.onState?.(up);
    const again = everUp;
    everUp ||= up;
    if (up) log.info(again ? 'shared store reachable again: state is shared across instances' : 'shared store connected');
    else log.warn({ reason }, 'shared store unreachable: degraded (local rate limits and capabilities, no cross-instance answers)');
  };
  redis.on('ready', () => setUp(true));
  redis.on('close', () => setUp(false, 'connection closed'));
  // Without a listener ioredis would print every failed reconnect; the state change is logged once.
  redis.on('error', (err: Error) => setUp(false, err.message));
  subscriber.on('error', () => {});
  subscriber.on('message', (channel: string, message: string) => handlers.get(channel)?.(message));

  const store: RedisStore = {
    instanceId: randomBytes(6).toString('hex'),
    get up() {
      return up;
    },
    redis,
    async run(command) {
      try {
        return await command(redis);
      } catch (err) {
        if (redis.status !== 'ready') setUp(false, (err as Error).message);
        throw err;
      }
    },
    async subscribe(channel, onMessage) {
      handlers.set(channel, onMessage);
      subscriber.subscribe(channel).catch((err: Error) => log.warn({ channel, reason: err.message }, 'subscription pending'));
    },
    async close() {
      closing = true;
      redis.disconnect();
      subscriber.disconnect();
    },
  };
  options.onState?.(false);
  const wait = options.connectWaitMs ?? 3_000;
  const first = Promise.all([redis.connect(), subscriber.connect()]).then(() => true, () => false);
  const connected = await Promise.race([first, new Promise<boolean>((r) => setTimeout(() => r(false), wait).unref())]);
  if (!connected) log.warn({ url: redacted(options.url) }, 'shared store not reachable at start: serving degraded until it is');
  return store;
}

/** The URL without its password, for logs. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return '(unparsable URL)';
  }
}
