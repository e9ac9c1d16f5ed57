// @sigil/store-contract (private): what every NonceStore's tests import.
export { nonceStoreContract } from './contract.js';
export type { ContractOptions, MakeNonceStore, NonceStoreUnderTest } from './contract.js';
export { CONTRACT_CHECKS } from './checks.js';
export type { ContractCheck } from './checks.js';
export { CAPACITY_CHECKS } from './capacity.js';
export type { CapacityCheck } from './capacity.js';
export { inCI, reachable, requireService } from './service.js';
export type { ServiceProbe } from './service.js';
export { freePort } from './ports.js';
export { TcpProxy } from './tcp-proxy.js';
export type { ProxyTarget } from './tcp-proxy.js';
export { redisServerAvailable, requireBinary, startRedisServer } from './redis-server.js';
export type { SpawnedRedis } from './redis-server.js';
export { startRedisCluster } from './redis-cluster.js';
export type { SpawnedCluster } from './redis-cluster.js';
export { API_HOST, send, signPost, startInstance, stopInstance } from './replay-instances.js';
export type { Instance, SignedPost } from './replay-instances.js';
