// The shared NonceStore contract, run against a real Redis through both
// supported clients.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisNonceStore } from '@sigil/redis';
import { nonceStoreContract } from '@sigil/store-contract';
import { connectIoredis, connectNodeRedis, deleteKeys, redisUp, uniquePrefix } from './helpers/redis-env.js';

describe.runIf(redisUp)('RedisNonceStore against a real Redis', () => {
  let admin: Redis;
  let io: Redis;
  let nodeRedis: Awaited<ReturnType<typeof connectNodeRedis>>;
  const prefixes: string[] = [];

  beforeAll(async () => {
    admin = await connectIoredis();
    io = await connectIoredis();
    nodeRedis = await connectNodeRedis();
  });

  afterAll(async () => {
    // Every check cleans up after itself; this catches any that did not.
    let left = 0;
    for (const prefix of prefixes) left += await deleteKeys(admin, prefix);
    await Promise.all([admin?.quit(), io?.quit(), nodeRedis?.close()]);
    expect(left).toBe(0);
  });

  const make = (client: () => Redis | typeof nodeRedis, label: string) => () => {
    const prefix = uniquePrefix(label);
    prefixes.push(prefix);
    return {
      store: new RedisNonceStore({ client: client(), prefix }),
      cleanup: async () => {
        await deleteKeys(admin, prefix);
      },
    };
  };

  nonceStoreContract('RedisNonceStore (ioredis)', make(() => io, 'contract-ioredis'));
  nonceStoreContract('RedisNonceStore (node-redis)', make(() => nodeRedis, 'contract-node-redis'));

  it('runs the contract on clients the store did not close', async () => {
    expect(await io.ping()).toBe('PONG');
    expect(await nodeRedis.ping()).toBe('PONG');
  });
});
