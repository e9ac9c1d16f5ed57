// Redis failures: every one rejects with nonce_store_unavailable (the
// verifier answers 503), quickly, and without carrying the nonce or a
// password along. Real clients, a real Redis, a real TCP proxy to cut.
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateNonce, isSigilError, type SigilError } from '@sigil/core';
import { RedisNonceStore, type RedisClient } from '@sigil/redis';
import { freePort, TcpProxy } from '@sigil/store-contract';
import {
  connectIoredis, connectNodeRedis, deleteKeys, IOREDIS_FAIL_FAST, nodeRedisClient, REDIS_URL, redisUp, uniquePrefix,
} from './helpers/redis-env.js';

/** Far above any liveness bound below: only the client's fail-fast settings can beat it. */
const NO_TIMEOUT = 30_000;
/** "Quickly": a hang check, not a benchmark (the fallback would take 30 s). */
const QUICK_MS = 5_000;

const future = () => Date.now() + 60_000;

async function rejection(promise: Promise<unknown>): Promise<{ error: SigilError; ms: number }> {
  const start = performance.now();
  const error = await promise.then(() => expect.unreachable('resolved'), (e: unknown) => e);
  expect(isSigilError(error, 'nonce_store_unavailable'), inspect(error)).toBe(true);
  expect((error as SigilError).status).toBe(503);
  return { error: error as SigilError, ms: performance.now() - start };
}

/** Everything an error could show through logs or serialisation. */
const dump = (error: SigilError): string =>
  [inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error), error.stack, (error.cause as Error | undefined)?.stack].join('\n');

// Clients each test made; closed forcefully after it, whatever state they are in.
const opened: Array<Redis | ReturnType<typeof createClient>> = [];
afterEach(() => {
  for (const client of opened.splice(0)) {
    if (client instanceof Redis) client.disconnect();
    else if (client.isOpen) client.destroy();
  }
});

const ioredisAt = (url: string, options = {}) => {
  const client = new Redis(url, { ...IOREDIS_FAIL_FAST, ...options });
  client.on('error', () => {});
  opened.push(client);
  return client;
};
const nodeRedisAt = (url: string) => {
  const client = nodeRedisClient(url);
  opened.push(client);
  return client;
};

describe('a client pointed at a closed port', () => {
  it('ioredis with the recommended settings rejects quickly', async () => {
    const client = ioredisAt(`redis://127.0.0.1:${await freePort()}`);
    void client.connect().catch(() => {});
    const { ms } = await rejection(new RedisNonceStore({ client, timeoutMs: NO_TIMEOUT }).checkAndStore('k', generateNonce(), future()));
    expect(ms).toBeLessThan(QUICK_MS);
  });

  it('node-redis with the recommended settings rejects quickly', async () => {
    const client = nodeRedisAt(`redis://127.0.0.1:${await freePort()}`);
    void client.connect().catch(() => {});
    const { ms } = await rejection(new RedisNonceStore({ client, timeoutMs: NO_TIMEOUT }).checkAndStore('k', generateNonce(), future()));
    expect(ms).toBeLessThan(QUICK_MS);
  });

  it('clients with default settings (offline queue on) are cut off by timeoutMs', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const io = ioredisAt(url, { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: 20 });
    const nodeRedis = createClient({ url });
    nodeRedis.on('error', () => {});
    opened.push(nodeRedis);
    void nodeRedis.connect().catch(() => {});
    for (const client of [io, nodeRedis] as RedisClient[]) {
      const { error } = await rejection(new RedisNonceStore({ client, timeoutMs: 200 }).checkAndStore('k', generateNonce(), future()));
      expect(error.message).toMatch(/did not answer within 200 ms/);
    }
  });
});

describe.runIf(redisUp)('a connection lost mid-run', () => {
  let admin: Redis;
  let proxy: TcpProxy;
  const prefix = uniquePrefix('faults');

  beforeAll(async () => {
    admin = await connectIoredis();
  });
  afterEach(async () => {
    await proxy?.close();
  });
  afterAll(async () => {
    await deleteKeys(admin, prefix);
    await admin?.quit();
  });

  const clients = {
    ioredis: async (url: string) => {
      const client = ioredisAt(url);
      await client.connect();
      return client;
    },
    'node-redis': async (url: string) => {
      const client = nodeRedisAt(url);
      await client.connect();
      return client;
    },
  };

  for (const [name, connect] of Object.entries(clients)) {
    it(`${name}: a call in flight and the calls after the cut reject quickly`, async () => {
      proxy = await TcpProxy.start(REDIS_URL);
      const store = new RedisNonceStore({ client: await connect(proxy.url()), prefix, timeoutMs: NO_TIMEOUT });
      expect(await store.checkAndStore('k', generateNonce(), future())).toBe(true);

      proxy.stalled = true; // the next SET reaches the proxy and stops there
      const inFlight = rejection(store.checkAndStore('k', generateNonce(), future()));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await proxy.close(); // Redis is gone: connections cut, reconnects refused
      expect((await inFlight).ms).toBeLessThan(QUICK_MS);
      expect((await rejection(store.checkAndStore('k', generateNonce(), future()))).ms).toBeLessThan(QUICK_MS);
    });

    it(`${name}: a Redis that stops answering is cut off by timeoutMs`, async () => {
      proxy = await TcpProxy.start(REDIS_URL);
      const store = new RedisNonceStore({ client: await connect(proxy.url()), prefix, timeoutMs: 150 });
      proxy.stalled = true;
      const { error } = await rejection(store.checkAndStore('k', generateNonce(), future()));
      expect(error.message).toMatch(/did not answer within 150 ms/);
    });

    it(`${name}: a client the application closed rejects`, async () => {
      proxy = await TcpProxy.start(REDIS_URL);
      const client = await connect(proxy.url());
      const store = new RedisNonceStore({ client, prefix, timeoutMs: NO_TIMEOUT });
      expect(await store.checkAndStore('k', generateNonce(), future())).toBe(true);
      if (client instanceof Redis) client.disconnect();
      else client.destroy();
      expect((await rejection(store.checkAndStore('k', generateNonce(), future()))).ms).toBeLessThan(QUICK_MS);
    });
  }
});

describe.runIf(redisUp)('errors carry neither the nonce nor a password', () => {
  let admin: Redis;
  const user = `sigil-test-${generateNonce()}`;
  const password = `pw-${generateNonce()}`;
  const prefix = uniquePrefix('acl');
  const withUser = (secret: string) => {
    const url = new URL(REDIS_URL);
    url.username = user;
    url.password = secret;
    return url.toString();
  };

  beforeAll(async () => {
    admin = await connectIoredis();
    // A real Redis refusal: this user may touch only keys it will never use.
    await admin.call('ACL', ['SETUSER', user, 'on', `>${password}`, '~sigil-elsewhere:*', '+@all']);
  });
  afterAll(async () => {
    await admin?.call('ACL', ['DELUSER', user]);
    await admin?.quit();
  });

  it('ioredis: the raw error holds the nonce, the store error does not', async () => {
    const client = await connectIoredis(withUser(password));
    opened.push(client);
    const nonce = generateNonce();
    const raw = await client.call('SET', [`${prefix}k:${nonce}`, '1']).catch((e: unknown) => e);
    expect(inspect(raw, { depth: Infinity })).toContain(nonce); // why the store sanitizes
    const { error } = await rejection(new RedisNonceStore({ client, prefix }).checkAndStore('k', nonce, future()));
    expect((error.cause as Error).message).toMatch(/NOPERM/);
    expect(error.cause).not.toHaveProperty('command');
    expect((error.cause as Error).cause).toBeUndefined();
    expect(dump(error)).not.toContain(nonce);
    expect(dump(error)).not.toContain(password);
  });

  it('node-redis: the store error holds neither', async () => {
    const client = await connectNodeRedis(withUser(password));
    opened.push(client);
    const nonce = generateNonce();
    const { error } = await rejection(new RedisNonceStore({ client, prefix }).checkAndStore('k', nonce, future()));
    expect((error.cause as Error).message).toMatch(/NOPERM/);
    expect(dump(error)).not.toContain(nonce);
    expect(dump(error)).not.toContain(password);
  });

  it('a wrong password never shows up in the store error', async () => {
    const wrong = `wrong-${generateNonce()}`;
    const client = ioredisAt(withUser(wrong));
    await expect(client.connect()).rejects.toThrow(); // WRONGPASS, then the connection closes
    const { error } = await rejection(new RedisNonceStore({ client, prefix }).checkAndStore('k', generateNonce(), future()));
    expect(dump(error)).not.toContain(wrong);
  });
});
