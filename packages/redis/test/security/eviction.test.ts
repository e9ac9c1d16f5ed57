// Attack: a key holder fills Redis until it evicts a live nonce, then
// replays a captured request. Every nonce carries a TTL, so under
// `volatile-ttl` (or any volatile-* / allkeys-* policy) memory pressure
// removes live nonces, shortest TTL first: the captured request's. A real
// redis-server on a spare loopback port with a tiny maxmemory, a real
// verifier over a real socket.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKey, generateNonce, isSigilError, type SigilKey } from '@sigil/core';
import { RedisNonceStore, type RedisClient, type RedisNonceStoreEvent, type RedisNonceStoreOptions } from '@sigil/redis';
import { freePort, redisServerAvailable, send, signPost, startRedisServer, type SpawnedRedis } from '@sigil/store-contract';
import { startApi, type Api } from '../helpers/api.js';

const VICTIM = 'victim-client';
const ATTACKER = 'attacker-client';
const keys: Record<string, SigilKey> = { [VICTIM]: generateKey(), [ATTACKER]: generateKey() };
/** Headroom above what an idle Redis with our clients uses: room for a few thousand nonces. */
const HEADROOM = 192 * 1024;
const MAX_FLOOD = 40_000;

/** A Redis with `policy`, its maxmemory set just above what it uses now. */
async function tinyRedis(policy: string, args: string[] = []): Promise<{ redis: SpawnedRedis; admin: Redis }> {
  const redis = await startRedisServer(['--maxmemory-policy', policy, ...args]);
  const admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => {});
  await admin.connect();
  return { redis, admin };
}

async function squeeze(admin: Redis): Promise<number> {
  const used = Number(/used_memory:(\d+)/.exec(String(await admin.info('memory')))![1]);
  await admin.config('SET', 'maxmemory', String(used + HEADROOM));
  return used + HEADROOM;
}

const evictedKeys = async (admin: Redis): Promise<number> => Number(/evicted_keys:(\d+)/.exec(String(await admin.info('stats')))![1]);

/** One verifier behind node:http on 127.0.0.1, its replay store in `url`'s Redis. */
async function startApiOn(url: string, storeOptions: Partial<RedisNonceStoreOptions> = {}): Promise<Api> {
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  await client.connect();
  const api = await startApi(client, keys, storeOptions);
  return { ...api, close: async () => (await api.close(), client.disconnect()) };
}

/** The attacker's own valid requests, in batches, until Redis has evicted `target` (or MAX_FLOOD). */
async function flood(api: Api, admin: Redis, target: string): Promise<{ sent: number; statuses: Map<number, number> }> {
  const statuses = new Map<number, number>();
  let sent = 0;
  while (sent < MAX_FLOOD && (await admin.exists(target)) === 1) {
    const batch = await Promise.all(Array.from({ length: 250 }, (_, i) => send(api.agent, api.port, signPost(keys[ATTACKER]!, ATTACKER, `{"n":${sent + i}}`))));
    for (const { status } of batch) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    sent += batch.length;
    if (batch.every((r) => r.status === 503)) break; // Redis refuses writes: nothing more to evict with
  }
  return { sent, statuses };
}

const future = () => Date.now() + 60_000;
const EVICTING = ['volatile-ttl', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random'];

/** Both supported clients on `url`, connected with the recommended settings. */
async function bothClients(url: string): Promise<Array<{ name: string; client: RedisClient; close(): Promise<void> }>> {
  const io = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  io.on('error', () => {});
  await io.connect();
  const nodeRedis = createClient({ url, disableOfflineQueue: true });
  nodeRedis.on('error', () => {});
  await nodeRedis.connect();
  return [
    { name: 'ioredis', client: io, close: async () => io.disconnect() },
    { name: 'node-redis', client: nodeRedis, close: async () => nodeRedis.destroy() },
  ];
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => new Error('resolved'), (e: unknown) => e as Error);
  expect(isSigilError(error, 'nonce_store_unavailable'), String(error)).toBe(true);
  return error;
}

describe.runIf(redisServerAvailable('@sigil/redis eviction'))('attacker floods Redis to evict the live nonce of a captured request', () => {
  const started: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const item of started.splice(0).reverse()) await item.close();
  });

  async function setup(policy: string, storeOptions: Partial<RedisNonceStoreOptions> = {}) {
    const { redis, admin } = await tinyRedis(policy);
    started.push({ close: () => redis.kill() }, { close: async () => admin.disconnect() });
    const api = await startApiOn(redis.url, storeOptions);
    started.push(api);
    return { redis, admin, api };
  }

  /** The captured request, the attacker's flood, the replay: how often the captured one got in. */
  async function attack(policy: string, storeOptions: Partial<RedisNonceStoreOptions> = {}) {
    const { admin, api } = await setup(policy, storeOptions);
    const captured = signPost(keys[VICTIM]!, VICTIM, '{"to":"mallory","cents":100}');
    const first = await send(api.agent, api.port, captured);
    await squeeze(admin);
    const { sent, statuses } = await flood(api, admin, `sigil:nonce:${VICTIM}:${captured.nonce}`);
    const replay = await send(api.agent, api.port, captured);
    const evicted = await evictedKeys(admin);
    const acceptances = [first, replay].filter((r) => r.status === 201).length;
    return { api, first, replay, acceptances, evicted, report: `flood of ${sent} (${JSON.stringify([...statuses])}), evicted ${evicted}` };
  }

  it('under volatile-ttl a captured request is accepted once, whatever the attacker sends', async () => {
    const { acceptances, report, first, api } = await attack('volatile-ttl');
    expect(acceptances, report).toBeLessThanOrEqual(1);
    // How: the store refuses to run at all on an evicting policy (503 for everyone).
    expect(first.status).toBe(503);
    expect(api.accepted).toEqual([]);
    expect((await rejection(api.store.ready())).message).toMatch(/maxmemory-policy is volatile-ttl: it evicts live nonces/);
  }, 120_000);

  it('under noeviction the flood ends in 503s and the captured request stays a replay', async () => {
    const { acceptances, report, first, replay, evicted } = await attack('noeviction');
    expect(first.status, report).toBe(201);
    expect(report).toMatch(/\[503,/); // Redis refused writes (OOM): the store failed closed
    expect([401, 503], report).toContain(replay.status);
    expect(acceptances, report).toBe(1);
    expect(evicted).toBe(0);
  }, 120_000);

  it('allowEvictingPolicy opts out by name, reports it once, and re-opens exactly this hole', async () => {
    const events: RedisNonceStoreEvent[] = [];
    const { acceptances, report, evicted } = await attack('volatile-ttl', { allowEvictingPolicy: true, onEvent: (e) => void events.push(e) });
    expect(events).toEqual([{ type: 'eviction_policy_allowed', policy: 'volatile-ttl' }]);
    expect(evicted, report).toBeGreaterThan(0);
    expect(acceptances, report).toBe(2); // why the default refuses
  }, 120_000);
});

describe.runIf(redisServerAvailable('@sigil/redis eviction'))('RedisNonceStore checks maxmemory-policy when it starts', () => {
  const started: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const item of started.splice(0).reverse()) await item.close();
  });
  async function redisWith(args: string[]) {
    const redis = await startRedisServer(args);
    started.push({ close: () => redis.kill() });
    const clients = await bothClients(redis.url);
    started.push(...clients);
    return { redis, clients };
  }

  it('refuses every evicting policy, through both clients, at ready() and at the first check', async () => {
    const { clients } = await redisWith([]);
    const admin = clients[0]!.client as Redis;
    for (const policy of EVICTING) {
      await admin.config('SET', 'maxmemory-policy', policy);
      for (const { name, client } of clients) {
        const store = new RedisNonceStore({ client });
        expect((await rejection(store.ready())).message, `${name} ${policy}`).toContain(`maxmemory-policy is ${policy}`);
        await rejection(store.checkAndStore('k', generateNonce(), future()));
        // Refused for good: fixing Redis later needs a restart, not a lucky retry.
        await admin.config('SET', 'maxmemory-policy', 'noeviction');
        await rejection(store.checkAndStore('k', generateNonce(), future()));
        await admin.config('SET', 'maxmemory-policy', policy);
      }
    }
  });

  it('runs on noeviction, through both clients, without a word', async () => {
    const { clients } = await redisWith(['--maxmemory-policy', 'noeviction']);
    for (const { name, client } of clients) {
      const events: RedisNonceStoreEvent[] = [];
      const store = new RedisNonceStore({ client, onEvent: (e) => void events.push(e) });
      await store.ready();
      const nonce = generateNonce();
      expect(await store.checkAndStore('k', nonce, future()), name).toBe(true);
      expect(await store.checkAndStore('k', nonce, future()), name).toBe(false);
      expect(events, name).toEqual([]);
    }
  });

  it('a managed Redis that refuses CONFIG: runs, and warns once through onEvent', async () => {
    // How ElastiCache and others answer: the command is renamed away.
    const { clients } = await redisWith(['--maxmemory-policy', 'volatile-lru', '--rename-command', 'CONFIG', '']);
    for (const { name, client } of clients) {
      const events: RedisNonceStoreEvent[] = [];
      const store = new RedisNonceStore({ client, onEvent: (e) => void events.push(e) });
      const nonce = generateNonce();
      expect(await store.checkAndStore('k', nonce, future()), name).toBe(true);
      expect(await store.checkAndStore('k', nonce, future()), name).toBe(false);
      await store.ready();
      expect(events, name).toEqual([{ type: 'eviction_policy_unchecked', reason: expect.stringMatching(/unknown command/i) }]);
    }
  });

  it('an ACL user without CONFIG: runs, and warns once with NOPERM', async () => {
    const { redis, clients } = await redisWith([]);
    const admin = clients[0]!.client as Redis;
    const password = `pw-${generateNonce()}`;
    await admin.call('ACL', ['SETUSER', 'app', 'on', `>${password}`, '~*', '+@all', '-config']);
    const url = new URL(redis.url);
    url.username = 'app';
    url.password = password;
    const limited = await bothClients(url.toString());
    started.push(...limited);
    for (const { name, client } of limited) {
      const events: RedisNonceStoreEvent[] = [];
      const store = new RedisNonceStore({ client, onEvent: (e) => void events.push(e) });
      expect(await store.checkAndStore('k', generateNonce(), future()), name).toBe(true);
      expect(events, name).toEqual([{ type: 'eviction_policy_unchecked', reason: expect.stringMatching(/NOPERM/) }]);
      expect(JSON.stringify(events)).not.toContain(password);
    }
  });

  it('a Redis that is down at start is checked again once it is up (not taken as passed)', async () => {
    const port = await freePort();
    const client = new Redis(`redis://127.0.0.1:${port}`, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    client.on('error', () => {});
    started.push({ close: async () => client.disconnect() });
    const store = new RedisNonceStore({ client, timeoutMs: 500 });
    await rejection(store.checkAndStore('k', generateNonce(), future()));
    const redis = await startRedisServer(['--maxmemory-policy', 'allkeys-lru'], { port });
    started.push({ close: () => redis.kill() });
    while (client.status !== 'ready') await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await rejection(store.ready())).message).toContain('maxmemory-policy is allkeys-lru');
  });
});
