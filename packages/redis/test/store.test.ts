// RedisNonceStore beyond the shared contract: options, key layout, both
// clients sharing one keyspace, close(), and what it shows when inspected.
import { inspect } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster, RESP_TYPES } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNonce, isSigilError } from '@sigil/core';
import { DEFAULT_PREFIX, RedisNonceStore, type RedisNonceStoreOptions } from '@sigil/redis';
import type { NonceStore } from '@sigil/verify';
import { connectIoredis, connectNodeRedis, deleteKeys, REDIS_URL, redisUp, uniquePrefix } from './helpers/redis-env.js';

const future = (ms = 60_000) => Date.now() + ms;
const fakeClient = { call: async () => 'OK' };

function invalidOption(options: unknown): string {
  try {
    new RedisNonceStore(options as RedisNonceStoreOptions);
  } catch (error) {
    expect(isSigilError(error, 'invalid_option'), String(error)).toBe(true);
    return (error as Error).message;
  }
  return expect.unreachable('constructed');
}

describe('options are validated at construction', () => {
  it('names the bad option', () => {
    expect(invalidOption(undefined)).toMatch(/options/);
    expect(invalidOption({})).toMatch(/client/);
    expect(invalidOption({ client: { get: () => 1 } })).toMatch(/client: must be an ioredis client or a node-redis client/);
    expect(invalidOption({ client: fakeClient, prefix: 7 })).toMatch(/prefix/);
    expect(invalidOption({ client: fakeClient, timeout: 100 })).toMatch(/Unrecognized key.*timeout/); // a typo
    for (const timeoutMs of [0, -1, 1.5, 60_001, '100', Number.NaN]) {
      expect(invalidOption({ client: fakeClient, timeoutMs }), String(timeoutMs)).toMatch(/timeoutMs/);
    }
  });

  it('takes a node-redis cluster (by type and by shape), whose sendCommand routes by key', () => {
    const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }] });
    const typed: RedisNonceStoreOptions = { client: cluster };
    expect(new RedisNonceStore(typed).prefix).toBe(DEFAULT_PREFIX);
    // Something with `masters` but no way to reach a node is not one.
    expect(invalidOption({ client: { sendCommand: async () => 'OK', masters: [] } })).toMatch(/nodeClient/);
  });

  it('names waitReplicas when it is not a small whole number', () => {
    for (const waitReplicas of [-1, 1.5, 17, '1']) {
      expect(invalidOption({ client: fakeClient, waitReplicas }), String(waitReplicas)).toMatch(/waitReplicas/);
    }
  });

  it('takes an ioredis Cluster (by type and by shape)', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    expect(new RedisNonceStore({ client: cluster }).prefix).toBe(DEFAULT_PREFIX);
    cluster.disconnect();
  });

  it('names allowEvictingPolicy and onEvent when they have the wrong type', () => {
    expect(invalidOption({ client: fakeClient, allowEvictingPolicy: 'yes' })).toMatch(/allowEvictingPolicy/);
    expect(invalidOption({ client: fakeClient, onEvent: 5 })).toMatch(/onEvent/);
  });

  it('reads maxmemory-policy from a RESP2 array, a RESP3 map or an object, as strings or Buffers', async () => {
    const replies: unknown[] = [
      ['maxmemory-policy', 'volatile-ttl'],
      new Map([['maxmemory-policy', Buffer.from('volatile-ttl')]]),
      { 'maxmemory-policy': 'volatile-ttl' },
    ];
    for (const reply of replies) {
      const store = new RedisNonceStore({ client: { call: async (command: string) => (command === 'CONFIG' ? reply : 'OK') } });
      const error = await store.ready().catch((e: unknown) => e);
      expect(isSigilError(error, 'nonce_store_unavailable') && (error as Error).message, inspect(reply)).toMatch(/maxmemory-policy is volatile-ttl/);
    }
  });

  it('a throwing onEvent hook does not fail the store', async () => {
    const client = { call: async (command: string) => { if (command === 'CONFIG') throw Object.assign(new Error("ERR unknown command 'CONFIG'"), { name: 'ReplyError' }); return 'OK'; } };
    const store = new RedisNonceStore({ client, onEvent: () => { throw new Error('hook'); } });
    expect(await store.checkAndStore('k', generateNonce(), future())).toBe(true);
  });

  it('never echoes a received value', () => {
    const secretish = 'do-not-echo-'.repeat(30);
    expect(invalidOption({ client: fakeClient, prefix: secretish })).not.toContain('do-not-echo');
  });

  it('defaults the prefix and accepts a custom one', () => {
    expect(new RedisNonceStore({ client: fakeClient }).prefix).toBe(DEFAULT_PREFIX);
    expect(DEFAULT_PREFIX).toBe('sigil:nonce:');
    expect(new RedisNonceStore({ client: fakeClient, prefix: 'api:' }).prefix).toBe('api:');
  });

  it('rejects a reply that is neither OK nor null', async () => {
    // Redis never answers SET NX this way; a proxy or a wrapper might.
    const store = new RedisNonceStore({ client: { call: async () => 42 } });
    const error = await store.checkAndStore('k', generateNonce(), future()).catch((e: unknown) => e);
    expect(isSigilError(error, 'nonce_store_unavailable')).toBe(true);
  });
});

describe('bad arguments reject before any round trip', () => {
  let calls = 0;
  const store = new RedisNonceStore({ client: { call: async () => (calls++, 'OK') } });

  it.each([
    ['an empty key id', '', generateNonce(), /keyId/],
    ['an overlong key id', 'k'.repeat(129), generateNonce(), /keyId/],
    ["a nonce with ':'", 'k', `${generateNonce()}:x`, /nonce/],
    ['an empty nonce', 'k', '', /nonce/],
  ])('%s', async (_, keyId, nonce, names) => {
    const error = await store.checkAndStore(keyId, nonce, future()).catch((e: unknown) => e);
    expect(isSigilError(error, 'invalid_option')).toBe(true);
    expect((error as Error).message).toMatch(names);
    expect(calls).toBe(0);
  });
});

describe('nothing secret shows through inspect or JSON', () => {
  it('hides the client and its password', () => {
    const password = `pw-${generateNonce()}`;
    const client = new Redis({ password, lazyConnect: true });
    const store = new RedisNonceStore({ client, prefix: 'p:' });
    expect(inspect(client, { depth: 3 })).toContain(password); // what the store must not show
    expect(inspect(store, { depth: Infinity, showHidden: true })).not.toContain(password);
    expect(JSON.stringify(store)).toBe('{"prefix":"p:"}');
    client.disconnect();
  });
});

describe.runIf(redisUp)('RedisNonceStore on a real Redis', () => {
  let admin: Redis;
  let io: Redis;
  let nodeRedis: Awaited<ReturnType<typeof connectNodeRedis>>;
  const prefix = uniquePrefix('store');

  beforeAll(async () => {
    [admin, io, nodeRedis] = await Promise.all([connectIoredis(), connectIoredis(), connectNodeRedis()]);
  });
  afterAll(async () => {
    await deleteKeys(admin, prefix);
    await Promise.all([admin?.quit(), io?.quit(), nodeRedis?.close()]);
  });

  it('is a NonceStore', () => {
    const store: NonceStore = new RedisNonceStore({ client: io });
    expect(typeof store.checkAndStore).toBe('function');
  });

  it('writes <prefix><keyId>:<nonce> = 1, expiring exactly at expiresAtMs (rounded up)', async () => {
    const nonce = generateNonce();
    const expiresAtMs = future() + 0.25;
    expect(await new RedisNonceStore({ client: io, prefix }).checkAndStore('tenant:7', nonce, expiresAtMs)).toBe(true);
    const key = `${prefix}tenant:7:${nonce}`;
    expect(await admin.get(key)).toBe('1');
    expect(await admin.call('PEXPIRETIME', [key])).toBe(Math.ceil(expiresAtMs));
  });

  it('shares one keyspace between ioredis and node-redis stores', async () => {
    const viaIo = new RedisNonceStore({ client: io, prefix });
    const viaNodeRedis = new RedisNonceStore({ client: nodeRedis, prefix });
    const nonce = generateNonce();
    expect(await viaIo.checkAndStore('k', nonce, future())).toBe(true);
    expect(await viaNodeRedis.checkAndStore('k', nonce, future())).toBe(false);
  });

  it('lets exactly one of 400 concurrent calls over two connections win', async () => {
    const stores = [new RedisNonceStore({ client: io, prefix }), new RedisNonceStore({ client: nodeRedis, prefix })];
    const nonce = generateNonce();
    const at = future();
    const results = await Promise.all(Array.from({ length: 400 }, (_, i) => stores[i % 2]!.checkAndStore('k', nonce, at)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('reads OK as a Buffer when node-redis maps simple strings to Buffer', async () => {
    const client = createClient({ url: REDIS_URL, commandOptions: { typeMapping: { [RESP_TYPES.SIMPLE_STRING]: Buffer } } });
    await client.connect();
    try {
      const store = new RedisNonceStore({ client, prefix });
      const nonce = generateNonce();
      expect(await store.checkAndStore('k', nonce, future())).toBe(true);
      expect(await store.checkAndStore('k', nonce, future())).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('close() stops the store but leaves the client open', async () => {
    const store = new RedisNonceStore({ client: nodeRedis, prefix });
    await store.close();
    const error = await store.checkAndStore('k', generateNonce(), future()).catch((e: unknown) => e);
    expect(isSigilError(error, 'nonce_store_unavailable')).toBe(true);
    expect(nodeRedis.isOpen).toBe(true);
    expect(await nodeRedis.ping()).toBe('PONG');
  });
});
