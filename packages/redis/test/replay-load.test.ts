// Two real server processes share one Redis (or one Redis Cluster): 1,000
// concurrent replays of one signed request, spread across both, are accepted
// exactly once.
import http from 'node:http';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKey, generateKey } from '@sigil/core';

import { redisServerAvailable, send, signPost, startInstance, startRedisCluster, stopInstance, type Instance, type SpawnedCluster } from '@sigil/store-contract';
import { connectIoredis, connectIoredisCluster, countKeys, deleteKeys, REDIS_URL, redisUp, uniquePrefix } from './helpers/redis-env.js';

const FIXTURE_URL = new URL('./fixtures/replay-server.ts', import.meta.url);
const REPLAYS = 1_000;
const KEY_ID = 'load-client';

/** Where the two instances share their nonces: the env they get and an admin client. */
interface Shared {
  env: Record<string, string>;
  admin: Redis | Cluster;
  close(): Promise<void>;
}

function twoProcessReplay(connect: (prefix: string) => Promise<Shared>): void {
  const prefix = uniquePrefix('load');
  const key = generateKey();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 250 });
  let shared: Shared;
  let instances: Instance[] = [];

  beforeAll(async () => {
    shared = await connect(prefix);
    const env = { ...shared.env, SIGIL_PREFIX: prefix, SIGIL_KEY_ID: KEY_ID, SIGIL_SECRET: exportKey(key) };
    instances = await Promise.all([startInstance(FIXTURE_URL, 'ioredis', { ...env, SIGIL_CLIENT: 'ioredis' }), startInstance(FIXTURE_URL, 'node-redis', { ...env, SIGIL_CLIENT: 'node-redis' })]);
  }, 60_000);

  afterAll(async () => {
    agent.destroy();
    await Promise.all(instances.map(stopInstance));
    if (shared) {
      await deleteKeys(shared.admin, prefix);
      await shared.close();
    }
  });

  it('each instance accepts a fresh signed request', async () => {
    for (const { port } of instances) {
      const body = '{"sku":"A-1","qty":1}';
      const { status, text } = await send(agent, port, signPost(key, KEY_ID, body));
      expect(status, text).toBe(201);
    }
  });

  it(`accepts exactly one of ${REPLAYS} concurrent replays spread across both`, async () => {
    const body = '{"sku":"B-2","qty":3}';
    const captured = signPost(key, KEY_ID, body);
    const replies = await Promise.all(
      Array.from({ length: REPLAYS }, (_, i) => send(agent, instances[i % 2]!.port, captured)),
    );
    const accepted = replies.filter((r) => r.status >= 200 && r.status < 300);
    const replayed = replies.filter((r) => r.status === 401 && JSON.parse(r.text).error === 'nonce_replayed');
    expect(accepted).toHaveLength(1);
    const others = replies.filter((r) => !accepted.includes(r) && !replayed.includes(r)).map((r) => `${r.status} ${r.text}`);
    expect(others, 'neither accepted nor refused as a replay').toEqual([]);
    expect(replayed).toHaveLength(REPLAYS - 1);
    // One key for the fresh request each instance took, one for the storm.
    expect(await countKeys(shared.admin, prefix)).toBe(3);
  }, 60_000);
}

describe.runIf(redisUp)('two server processes sharing one Redis', () => {
  twoProcessReplay(async () => {
    const admin = await connectIoredis();
    return { env: { REDIS_URL }, admin, close: async () => void (await admin.quit()) };
  });
});

describe.runIf(redisServerAvailable('@sigil/redis cluster'))('two server processes sharing one Redis Cluster (3 masters, 3 replicas)', () => {
  let cluster: SpawnedCluster | undefined;
  afterAll(async () => cluster?.stop());
  twoProcessReplay(async () => {
    cluster = await startRedisCluster();
    console.log(`redis cluster: 6 nodes up and healthy in ${cluster.startupMs} ms`);
    const admin = await connectIoredisCluster(cluster.seeds);
    return { env: { SIGIL_CLUSTER: cluster.seeds.map((s) => s.port).join(',') }, admin, close: async () => void (await admin.quit()) };
  });
});
