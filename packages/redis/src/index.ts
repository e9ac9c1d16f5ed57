export { RedisNonceStore } from './store.js';
export { DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS } from './options.js';
export type { IoredisClient, NodeRedisClient, NodeRedisClusterClient, RedisClient, RedisNonceStoreEvent, RedisNonceStoreOptions } from './options.js';
