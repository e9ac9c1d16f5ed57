import type { NonceStore } from '@sigil/verify';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { CAPACITY_CHECKS } from './capacity.js';
import { CONTRACT_CHECKS } from './checks.js';

/** What a store factory returns: the store and how to clean up after it. */
export interface NonceStoreUnderTest {
  store: NonceStore;
  /** Runs after `store.close()`; e.g. deletes the test's Redis keys. */
  cleanup?: () => Promise<void>;
}

/** Builds a fresh, empty store for one check. */
export type MakeNonceStore = () => Promise<NonceStoreUnderTest> | NonceStoreUnderTest;

/** Optional parts of the contract, for stores that have the feature. */
export interface ContractOptions {
  /**
   * For a store with a per-key-id capacity: `make` builds one holding at most
   * `limit` live nonces per key id (keep it small: the checks fill it).
   */
  readonly perKeyIdCapacity?: { readonly limit: number; readonly make: MakeNonceStore };
}

function register(name: string, makeStore: MakeNonceStore, checks: ReadonlyArray<{ name: string; run(store: NonceStore): Promise<void> }>): void {
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
  for (const check of checks) {
    it(check.name, async () => {
      if (!current) throw new Error(`${name}: makeStore did not produce a store`);
      await check.run(current.store);
    });
  }
}

/**
 * Registers the contract as a vitest `describe` block: a fresh store from
 * `makeStore` for every check, closed and cleaned up after it.
 *
 * @example
 * nonceStoreContract('RedisNonceStore (ioredis)', async () => {
 *   const prefix = uniquePrefix('contract');
 *   return { store: new RedisNonceStore({ client, prefix }), cleanup: () => deleteKeys(admin, prefix) };
 * });
 * nonceStoreContract('MemoryNonceStore', () => ({ store: new MemoryNonceStore() }), {
 *   perKeyIdCapacity: { limit: 5, make: () => ({ store: new MemoryNonceStore({ maxEntriesPerKeyId: 5 }) }) },
 * });
 */
export function nonceStoreContract(name: string, makeStore: MakeNonceStore, options: ContractOptions = {}): void {
  describe(`NonceStore contract: ${name}`, () => register(name, makeStore, CONTRACT_CHECKS));
  const capacity = options.perKeyIdCapacity;
  if (!capacity) return;
  const checks = CAPACITY_CHECKS.map((check) => ({ name: check.name, run: (store: NonceStore) => check.run(store, capacity.limit) }));
  describe(`NonceStore contract: ${name}, ${capacity.limit} per key id`, () => register(name, capacity.make, checks));
}
