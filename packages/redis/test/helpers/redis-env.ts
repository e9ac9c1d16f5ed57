// Where the tests find Redis, and what they do when it is not there: skip
// loudly on a developer machine, fail under CI=true.
import { randomUUID } from 'node:crypto';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { requireService } from '@sigil/store-contract';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when Redis answers at REDIS_URL; under CI=true, false is an error. */
export const redisUp = await requireService({
  suite: '@sigil/redis',
  service: 'Redis',
  url: REDIS_URL,
  defaultPort: 6379,
  start: [
    'mkdir -p /var/lib/redis /var/log/redis',
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
    '(or set REDIS_URL)',
  ],
});

/** A prefix no other run or test uses. */
export const uniquePrefix = (label = 'test'): string => `sigil-test:${label}:${randomUUID()}:`;

/** The settings the README recommends: no offline queue, bounded retries. */
export const IOREDIS_FAIL_FAST = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 } satisfies RedisOptions;

/** A connected ioredis client with the recommended settings. */
export async function connectIoredis(url = REDIS_URL, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(url, { ...IOREDIS_FAIL_FAST, ...options });
  client.on('error', () => {}); // reported through rejected commands
  await client.connect();
  return client;
}

/** A node-redis client with the recommended settings, not yet connected. */
export function nodeRedisClient(url = REDIS_URL) {
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => {}); // reported through rejected commands
  return client;
}

/** A connected node-redis client with the recommended settings. */
export async function connectNodeRedis(url = REDIS_URL) {
  const client = nodeRedisClient(url);
  await client.connect();
  return client;
}

/** The keys under `prefix` on one node, a SCAN batch at a time. */
async function* scanKeys(node: Redis, prefix: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/** On a Cluster, SCAN sees one node's keys only: every master. */
const mastersOf = (admin: Redis | Cluster): Redis[] => (admin instanceof Cluster ? admin.nodes('master') : [admin]);

/** Deletes every key under `prefix` (on every master of a Cluster); returns how many there were. */
export async function deleteKeys(admin: Redis | Cluster, prefix: string): Promise<number> {
  let deleted = 0;
  for (const node of mastersOf(admin)) {
    for await (const keys of scanKeys(node, prefix)) {
      // One DEL per key: on a cluster node, keys of different slots may not share a DEL.
      const results = await keys.reduce((pipeline, key) => pipeline.del(key), node.pipeline()).exec();
      deleted += (results ?? []).reduce((sum, [, n]) => sum + Number(n ?? 0), 0);
    }
  }
  return deleted;
}

/** Counts the keys under `prefix` (on every master of a Cluster). */
export async function countKeys(admin: Redis | Cluster, prefix: string): Promise<number> {
  let total = 0;
  for (const node of mastersOf(admin)) for await (const keys of scanKeys(node, prefix)) total += keys.length;
  return total;
}

type Seeds = ReadonlyArray<{ host: string; port: number }>;

/** A connected ioredis Cluster with the recommended settings. */
export async function connectIoredisCluster(seeds: Seeds): Promise<Cluster> {
  const client = new Cluster([...seeds], { lazyConnect: true, enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1 } });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** A connected node-redis cluster client with the recommended settings. */
export async function connectNodeRedisCluster(seeds: Seeds) {
  const client = createCluster({
    rootNodes: seeds.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
    defaults: { disableOfflineQueue: true },
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}
