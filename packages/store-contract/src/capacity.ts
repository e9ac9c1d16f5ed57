// The per-key-id capacity hook: a store that bounds what each key id may hold
// (so one key holder's flood cannot lock every other key out) proves it here.
// Opt in through `nonceStoreContract(name, make, { perKeyIdCapacity })`.
import { generateNonce, isSigilError } from '@sigil/core';
import type { NonceStore } from '@sigil/verify';
import { expect } from 'vitest';

/** One capacity check: throws when a store built with `limit` per key id breaks it. */
export interface CapacityCheck {
  readonly name: string;
  run(store: NonceStore, limit: number): Promise<void>;
}

const future = (): number => Date.now() + 60_000;

async function expectFull(call: Promise<boolean>, label: string): Promise<void> {
  const result = await call.then(
    (value) => new Error(`resolved ${String(value)}`),
    (error: unknown) => error,
  );
  expect(isSigilError(result, 'nonce_store_full'), `${label}: ${String(result)}`).toBe(true);
}

/** Every capacity check. */
export const CAPACITY_CHECKS: readonly CapacityCheck[] = [
  {
    name: "one key id's flood leaves another key id working",
    async run(store, limit) {
      const flooded: string[] = [];
      for (let i = 0; i < limit; i++) {
        const nonce = generateNonce();
        flooded.push(nonce);
        expect(await store.checkAndStore('tenant-a', nonce, future()), `tenant-a #${i}`).toBe(true);
      }
      await expectFull(store.checkAndStore('tenant-a', generateNonce(), future()), 'tenant-a past its share');
      expect(await store.checkAndStore('tenant-b', generateNonce(), future())).toBe(true);
      // Full means refused, never evicted: every live nonce is still a replay.
      for (const nonce of flooded) expect(await store.checkAndStore('tenant-a', nonce, future())).toBe(false);
    },
  },
  {
    name: 'a full key id still answers replays as replays',
    async run(store, limit) {
      const first = generateNonce();
      expect(await store.checkAndStore('tenant-a', first, future())).toBe(true);
      for (let i = 1; i < limit; i++) await store.checkAndStore('tenant-a', generateNonce(), future());
      expect(await store.checkAndStore('tenant-a', first, future())).toBe(false);
    },
  },
];
