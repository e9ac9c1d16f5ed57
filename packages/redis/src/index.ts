export { RedisNonceStore } from './store.js';
export { DEFAULT_PREFIX, DEFAULT_TIMEOUT_MS } from './options.js';
export type { IoredisClient, NodeRedisClient, RedisClient, RedisNonceStoreEvent, RedisNonceStoreOptions } from './options.js';
