// Two real server processes share one Redis (or one Redis Cluster): 1,000
// concurrent replays of one signed request, spread across both, are accepted
// exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportKey, generateKey } from '@sigil/core';
import { send, signPost } from './helpers/signed-post.js';
import { redisServerAvailable, startRedisCluster, type SpawnedCluster } from '@sigil/store-contract';
import { connectIoredis, connectIoredisCluster, countKeys, deleteKeys, REDIS_URL, redisUp, uniquePrefix } from './helpers/redis-env.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/replay-server.ts', import.meta.url));
const REPLAYS = 1_000;
const KEY_ID = 'load-client';

interface Instance {
  child: ChildProcess;
  port: number;
}

/** Spawns one server instance and waits for the port it prints. */
function startInstance(client: 'ioredis' | 'node-redis', env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, ...env, SIGIL_CLIENT: client, TSX_TSCONFIG_PATH: 'tsconfig.check.json' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ child, port: (JSON.parse(line) as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`${client} server exited (${code}) before listening:\n${stderr}`)));
  });
}

async function stopInstance(instance: Instance | undefined): Promise<void> {
  const child = instance?.child;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

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
    instances = await Promise.all([startInstance('ioredis', env), startInstance('node-redis', env)]);
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
