// RedisNonceStore on a real Redis Cluster (three masters, three replicas on
// spare loopback ports, started here and torn down after): the shared
// contract through ioredis `Cluster` and node-redis `createCluster`, with and
// without `waitReplicas`; keys spread over every master; tooling per node;
// the eviction-policy check on every node the client holds.
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNonce, isSigilError } from '@sigil/core';
import { RedisNonceStore, type RedisClient } from '@sigil/redis';
import { nonceStoreContract, redisServerAvailable, startRedisCluster, type SpawnedCluster } from '@sigil/store-contract';
import { connectIoredisCluster, connectNodeRedisCluster, countKeys, deleteKeys, uniquePrefix } from './helpers/redis-env.js';

const future = () => Date.now() + 60_000;

describe.runIf(redisServerAvailable('@sigil/redis cluster'))('RedisNonceStore on a Redis Cluster', () => {
  let cluster: SpawnedCluster;
  let admin: Cluster;
  let io: Cluster;
  let nodeRedis: Awaited<ReturnType<typeof connectNodeRedisCluster>>;
  const prefixes: string[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    console.log(`redis cluster: 6 nodes up and healthy in ${cluster.startupMs} ms`);
    [admin, io, nodeRedis] = await Promise.all([connectIoredisCluster(cluster.seeds), connectIoredisCluster(cluster.seeds), connectNodeRedisCluster(cluster.seeds)]);
  }, 60_000);

  afterAll(async () => {
    let left = 0;
    for (const prefix of prefixes) left += await deleteKeys(admin, prefix);
    await Promise.all([admin?.quit(), io?.quit(), nodeRedis?.close()]);
    await cluster?.stop();
    expect(left).toBe(0);
  });

  const make = (client: () => RedisClient, label: string, waitReplicas = 0) => () => {
    const prefix = uniquePrefix(label);
    prefixes.push(prefix);
    return {
      store: new RedisNonceStore({ client: client(), prefix, waitReplicas }),
      cleanup: async () => void (await deleteKeys(admin, prefix)),
    };
  };

  nonceStoreContract('RedisNonceStore (ioredis Cluster)', make(() => io, 'cluster-ioredis'));
  nonceStoreContract('RedisNonceStore (node-redis createCluster)', make(() => nodeRedis, 'cluster-node-redis'));
  nonceStoreContract('RedisNonceStore (ioredis Cluster, waitReplicas: 1)', make(() => io, 'cluster-ioredis-wait', 1));
  nonceStoreContract('RedisNonceStore (node-redis createCluster, waitReplicas: 1)', make(() => nodeRedis, 'cluster-node-redis-wait', 1));

  it('spreads nonces over every master, and deleteKeys / countKeys walk every node', async () => {
    const prefix = uniquePrefix('spread');
    prefixes.push(prefix);
    const stores = [new RedisNonceStore({ client: io, prefix }), new RedisNonceStore({ client: nodeRedis, prefix })];
    for (let i = 0; i < 300; i++) expect(await stores[i % 2]!.checkAndStore('k', generateNonce(), future())).toBe(true);
    const perMaster = await Promise.all(admin.nodes('master').map((node) => node.dbsize()));
    expect(perMaster).toHaveLength(3);
    for (const n of perMaster) expect(n).toBeGreaterThan(30);
    // A single node's SCAN sees a third of them: what tooling must not rely on.
    expect(await countKeys(admin.nodes('master')[0]!, prefix)).toBeLessThan(300);
    expect(await countKeys(admin, prefix)).toBe(300);
    expect(await deleteKeys(admin, prefix)).toBe(300);
    expect(await countKeys(admin, prefix)).toBe(0);
  });

  it('checks the eviction policy of every node the client holds, not one picked at random', async () => {
    // One master of three misconfigured: a keyless CONFIG GET would see it a third of the time.
    const odd = admin.nodes('master').at(-1)!;
    await odd.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      for (const client of [io, nodeRedis] as RedisClient[]) {
        for (let i = 0; i < 3; i++) {
          const error = await new RedisNonceStore({ client }).ready().catch((e: unknown) => e);
          expect(isSigilError(error, 'nonce_store_unavailable') && (error as Error).message).toMatch(/maxmemory-policy is allkeys-lru/);
        }
      }
    } finally {
      await odd.config('SET', 'maxmemory-policy', 'noeviction');
    }
    for (const client of [io, nodeRedis] as RedisClient[]) await new RedisNonceStore({ client }).ready();
  });

  it('waitReplicas: a first use is confirmed by a replica before it counts', async () => {
    const prefix = uniquePrefix('wait');
    prefixes.push(prefix);
    for (const client of [io, nodeRedis] as RedisClient[]) {
      const store = new RedisNonceStore({ client, prefix, waitReplicas: 1 });
      const nonce = generateNonce();
      expect(await store.checkAndStore('k', nonce, future())).toBe(true);
      expect(await store.checkAndStore('k', nonce, future())).toBe(false);
      // No shard has two replicas: asking for two never confirms, and fails closed.
      const greedy = new RedisNonceStore({ client, prefix, waitReplicas: 2, timeoutMs: 300 });
      const error = await greedy.checkAndStore('k', generateNonce(), future()).catch((e: unknown) => e);
      expect(isSigilError(error, 'nonce_store_unavailable'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/fewer than 2 replicas/);
    }
    await deleteKeys(admin, prefix);
  });
});
