/**
 * Every Redis key and channel this server uses starts with this. Its own module, so the shared-store
 * code can be imported without loading ioredis (src/store/redis.ts), which only REDIS_URL needs.
 */
export const PREFIX = 'casdoor-mcp:';
