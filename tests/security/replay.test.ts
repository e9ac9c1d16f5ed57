// Attack: replay. An on-path attacker records a request the real client
// signed and sends it again: to the same server, and to a second instance
// behind the same load balancer. The nonce store refuses the second
// acceptance; instances share it through Redis.
import { RedisNonceStore } from '@sigil/redis';
import { MemoryNonceStore } from '@sigil/verify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectIoredis, connectNodeRedis, deleteKeys, redisUp, uniquePrefix } from '../../packages/redis/test/helpers/redis-env.js';
import { closeAll, resend, signingClient, startAttacker, startStack, type Stack } from './helpers/stack.js';

afterAll(closeAll);

/** Sends one signed POST through an attacker in front of `stack`; returns what the attacker recorded. */
async function signedThroughAttacker(stack: Stack) {
  const attacker = await startAttacker(stack.origin);
  const client = signingClient(attacker.origin);
  const res = await client(`${attacker.origin}/v1/transfers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"to":"mallory","cents":100}' });
  expect(res.status).toBe(200);
  return attacker.captured[0]!;
}

describe('attack: replay on the same instance', () => {
  it('a recorded request sent again is refused (nonce_replayed), and reaches no handler', async () => {
    const stack = await startStack();
    const recorded = await signedThroughAttacker(stack);
    const replayed = await resend(stack.origin, recorded);
    expect([replayed.status, replayed.body]).toEqual([401, '{"error":"nonce_replayed"}']);
    expect(stack.accepted).toHaveLength(1);
    expect(stack.events.map((e) => e.code ?? e.type)).toEqual(['accepted', 'nonce_replayed']);
  });

  it('50 concurrent copies of a request the server never saw: exactly one is accepted', async () => {
    // The attacker keeps the original from reaching the target (it lands on a decoy), then fires copies at once.
    const target = await startStack();
    const recorded = await signedThroughAttacker(await startStack());
    const answers = await Promise.all(Array.from({ length: 50 }, () => resend(target.origin, recorded)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.body === '{"error":"nonce_replayed"}')).toHaveLength(49);
    expect(target.accepted).toHaveLength(1);
  });
});

describe('attack: replay across two instances', () => {
  it('control: instances with separate memory stores each accept the replay once (why the store must be shared)', async () => {
    const first = await startStack({ verifier: { nonceStore: new MemoryNonceStore() } });
    const second = await startStack({ verifier: { nonceStore: new MemoryNonceStore() } });
    const recorded = await signedThroughAttacker(first);
    expect((await resend(second.origin, recorded)).status).toBe(200);
  });

  describe.runIf(redisUp)('sharing one Redis (ioredis on one, node-redis on the other)', () => {
    const prefix = uniquePrefix('security-replay');
    let ioredis: Redis;
    let nodeRedis: Awaited<ReturnType<typeof connectNodeRedis>>;
    let first: Stack;
    let second: Stack;

    beforeAll(async () => {
      [ioredis, nodeRedis] = await Promise.all([connectIoredis(), connectNodeRedis()]);
      first = await startStack({ verifier: { nonceStore: new RedisNonceStore({ client: ioredis, prefix }) } });
      second = await startStack({ verifier: { nonceStore: new RedisNonceStore({ client: nodeRedis, prefix }) } });
    });
    afterAll(async () => {
      await deleteKeys(ioredis, prefix);
      await Promise.all([ioredis.quit(), nodeRedis.close()]);
    });

    it('a request accepted by one instance is refused by the other', async () => {
      const recorded = await signedThroughAttacker(first);
      const replayed = await resend(second.origin, recorded);
      expect([replayed.status, replayed.body]).toEqual([401, '{"error":"nonce_replayed"}']);
      expect(second.accepted).toHaveLength(0);
      expect(second.events.map((e) => e.code)).toEqual(['nonce_replayed']);
    });

    it('concurrent replays spread over both instances: none is accepted again', async () => {
      const recorded = await signedThroughAttacker(second);
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => resend((i % 2 ? first : second).origin, recorded)));
      expect(answers.map((a) => a.status)).toEqual(Array(40).fill(401));
    });
  });
});
