// The NonceStore contract: every store (MemoryNonceStore, RedisNonceStore,
// yours) runs these same checks, like undici's cache-store-test-utils.
//
//   nonceStoreContract('MemoryNonceStore', () => ({ store: new MemoryNonceStore() }));
//
// Each check is a plain async function that throws on failure, so
// nonce-store-contract.test.ts can prove that every one of them fails
// against a store broken in the way it guards against.
//
// Decided here, for every store alike:
// - a past (or present) expiresAtMs is a caller bug: the call rejects with
//   SigilError('invalid_option') naming `expiresAtMs`, and nothing is stored.
//   Treating it as "already expired" would answer true to every replay when
//   a caller passes seconds instead of milliseconds (or a fake clock meets
//   Redis's real one); rejecting fails closed (the verifier answers 503). A
//   verifier that may reach the store after the window closed (slow body)
//   checks its clock first and answers timestamp_out_of_window instead.
// - a non-finite expiresAtMs (NaN, Infinity) is rejected the same way.
// "Past" is judged by the store's clock (Date.now() unless it takes one).
// - expiry runs on real time (no fake timers: Redis has its own clock).
import { generateNonce, isSigilError, LIMITS } from '@sigil/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NonceStore } from '../src/nonce-store.js';

/** What a store factory returns: the store and how to clean up after it. */
export interface NonceStoreUnderTest {
  store: NonceStore;
  /** Runs after `store.close()`; e.g. deletes the test's Redis keys. */
  cleanup?: () => Promise<void>;
}

/** Builds a fresh, empty store for one check. */
export type MakeNonceStore = () => Promise<NonceStoreUnderTest> | NonceStoreUnderTest;

/** One contract check: throws (an assertion error) when the store breaks it. */
export interface ContractCheck {
  readonly name: string;
  run(store: NonceStore): Promise<void>;
}

const LIVE_MS = 60_000;
const future = (ms = LIVE_MS): number => Date.now() + ms;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const nonceOfLength = (length: number): string => generateNonce().repeat(Math.ceil(length / 22)).slice(0, length);

/** Asserts a rejection with SigilError('invalid_option') that names expiresAtMs and not the nonce. */
async function expectBadExpiry(call: Promise<boolean>, nonce: string, label: string): Promise<void> {
  const error = await call.then(
    (value) => new Error(`resolved ${String(value)}`),
    (e: unknown) => e,
  );
  expect(isSigilError(error, 'invalid_option'), `${label}: ${String(error)}`).toBe(true);
  expect((error as Error).message, label).toMatch(/expiresAtMs/);
  expect((error as Error).message, label).not.toContain(nonce);
}

/** Every check, in the order a reader would ask the questions. */
export const CONTRACT_CHECKS: readonly ContractCheck[] = [
  {
    name: 'stores a new pair and resolves true',
    async run(store) {
      expect(await store.checkAndStore('client-1', generateNonce(), future())).toBe(true);
    },
  },
  {
    name: 'resolves false for every replay of a live pair',
    async run(store) {
      const nonce = generateNonce();
      expect(await store.checkAndStore('client-1', nonce, future())).toBe(true);
      expect(await store.checkAndStore('client-1', nonce, future())).toBe(false);
      expect(await store.checkAndStore('client-1', nonce, future())).toBe(false);
    },
  },
  {
    name: 'keeps key ids independent for the same nonce',
    async run(store) {
      const nonce = generateNonce();
      expect(await store.checkAndStore('client-1', nonce, future())).toBe(true);
      expect(await store.checkAndStore('client-2', nonce, future())).toBe(true);
      expect(await store.checkAndStore('client-2', nonce, future())).toBe(false);
    },
  },
  {
    name: 'keeps nonces independent for the same key id',
    async run(store) {
      expect(await store.checkAndStore('client-1', generateNonce(), future())).toBe(true);
      expect(await store.checkAndStore('client-1', generateNonce(), future())).toBe(true);
    },
  },
  {
    name: 'never confuses a key id ending in a nonce prefix with another pair',
    async run(store) {
      // ("k1", "A" + rest) and ("k1A", rest) collide if the two are concatenated.
      const rest = generateNonce();
      expect(await store.checkAndStore('k1', `A${rest}`, future())).toBe(true);
      expect(await store.checkAndStore('k1A', rest, future())).toBe(true);
    },
  },
  {
    name: "accepts key ids containing ':' and keeps them apart",
    async run(store) {
      const nonce = generateNonce();
      const keyIds = ['tenant', 'tenant:a', 'tenant:a:b', 'tenant:', ':tenant', 'a:b:c:d'];
      for (const keyId of keyIds) expect(await store.checkAndStore(keyId, nonce, future()), keyId).toBe(true);
      for (const keyId of keyIds) expect(await store.checkAndStore(keyId, nonce, future()), keyId).toBe(false);
    },
  },
  {
    name: 'accepts a maximum-length key id and nonce',
    async run(store) {
      const keyId = 'k:'.repeat(LIMITS.keyId).slice(0, LIMITS.keyId);
      const nonce = nonceOfLength(LIMITS.nonceMax);
      expect(nonce).toHaveLength(LIMITS.nonceMax);
      expect(await store.checkAndStore(keyId, nonce, future())).toBe(true);
      expect(await store.checkAndStore(keyId, nonce, future())).toBe(false);
      // A nonce one character shorter is another nonce.
      expect(await store.checkAndStore(keyId, nonce.slice(0, -1), future())).toBe(true);
    },
  },
  {
    name: 'forgets a pair once expiresAtMs has passed',
    async run(store) {
      const nonce = generateNonce();
      const expiresAtMs = future(150);
      expect(await store.checkAndStore('client-1', nonce, expiresAtMs)).toBe(true);
      await sleep(expiresAtMs - Date.now() + 100);
      expect(await store.checkAndStore('client-1', nonce, future())).toBe(true);
      expect(await store.checkAndStore('client-1', nonce, future())).toBe(false);
    },
  },
  {
    name: 'does not forget a pair before expiresAtMs',
    async run(store) {
      const nonce = generateNonce();
      const expiresAtMs = future(700);
      expect(await store.checkAndStore('client-1', nonce, expiresAtMs)).toBe(true);
      let conclusive = 0;
      // Ask again every 100 ms until shortly before the expiry. A "true" is a
      // violation only if it arrived before expiresAtMs: a call slowed past
      // the expiry (a loaded machine) proves nothing and ends the loop.
      while (Date.now() < expiresAtMs - 150) {
        const fresh = await store.checkAndStore('client-1', nonce, future());
        const answeredAt = Date.now();
        if (fresh && answeredAt >= expiresAtMs) break;
        expect(fresh, `forgotten ${expiresAtMs - answeredAt} ms before expiresAtMs`).toBe(false);
        conclusive++;
        await sleep(100);
      }
      expect(conclusive).toBeGreaterThan(0);
    },
  },
  {
    name: 'lets exactly one of 200 concurrent calls with one pair win',
    async run(store) {
      const nonce = generateNonce();
      const expiresAtMs = future();
      const results = await Promise.all(Array.from({ length: 200 }, () => store.checkAndStore('client-1', nonce, expiresAtMs)));
      expect(results.filter((won) => won)).toHaveLength(1);
    },
  },
  {
    name: 'lets all of 200 concurrent calls with distinct pairs win',
    async run(store) {
      const expiresAtMs = future();
      const results = await Promise.all(Array.from({ length: 200 }, () => store.checkAndStore('client-1', generateNonce(), expiresAtMs)));
      expect(results.every((won) => won)).toBe(true);
    },
  },
  {
    name: 'rejects a past expiresAtMs as invalid_option and stores nothing',
    async run(store) {
      const nonce = generateNonce();
      for (const past of [Date.now() - 1, Date.now() - 60_000, 1_700_000_000 /* seconds, not ms */]) {
        await expectBadExpiry(store.checkAndStore('client-1', nonce, past), nonce, String(past));
      }
      expect(await store.checkAndStore('client-1', nonce, future())).toBe(true);
    },
  },
  {
    name: 'rejects a non-finite expiresAtMs as invalid_option',
    async run(store) {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
        const nonce = generateNonce();
        await expectBadExpiry(store.checkAndStore('client-1', nonce, bad), nonce, String(bad));
      }
    },
  },
];

/**
 * Registers the contract as a vitest `describe` block: a fresh store from
 * `makeStore` for every check, closed and cleaned up after it.
 *
 * @example
 * nonceStoreContract('RedisNonceStore (ioredis)', async () => {
 *   const prefix = `test:${randomUUID()}:`;
 *   return { store: new RedisNonceStore({ client, prefix }), cleanup: () => deleteKeys(prefix) };
 * });
 */
export function nonceStoreContract(name: string, makeStore: MakeNonceStore): void {
  describe(`NonceStore contract: ${name}`, () => {
    let current: NonceStoreUnderTest | undefined;

    beforeEach(async () => {
      current = await makeStore();
    });

    afterEach(async () => {
      const finished = current;
      current = undefined;
      await finished?.store.close?.();
      await finished?.cleanup?.();
    });

    for (const check of CONTRACT_CHECKS) {
      it(check.name, async () => {
        if (!current) throw new Error('makeStore did not produce a store');
        await check.run(current.store);
      });
    }
  });
}
