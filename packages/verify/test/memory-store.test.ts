// MemoryNonceStore: the shared NonceStore contract, then what is particular
// to a bounded in-process store.
import { inspect } from 'node:util';
import { generateNonce, isSigilError } from '@sigil/core';
import { describe, expect, it } from 'vitest';
import { MemoryNonceStore } from '../src/index.js';
import { nonceStoreContract } from '@sigil/store-contract';

nonceStoreContract('MemoryNonceStore', () => ({ store: new MemoryNonceStore() }));

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { clock: () => now, advance: (ms: number) => void (now += ms) };
}

describe('MemoryNonceStore bounds', () => {
  it('when full of live nonces, refuses with nonce_store_full and evicts none', async () => {
    const { clock } = manualClock();
    const store = new MemoryNonceStore({ maxEntries: 3, maxEntriesPerKey: 3, clock });
    const nonces = [generateNonce(), generateNonce(), generateNonce()];
    for (const n of nonces) expect(await store.checkAndStore('k', n, clock() + 1000)).toBe(true);
    const error = await store.checkAndStore('k', generateNonce(), clock() + 1000).catch((e: unknown) => e);
    expect(isSigilError(error, 'nonce_store_full')).toBe(true);
    // Every live nonce is still a replay.
    for (const n of nonces) expect(await store.checkAndStore('k', n, clock() + 1000)).toBe(false);
    expect(store.size).toBe(3);
  });

  it('frees room as nonces expire, earliest first, whatever the insertion order', async () => {
    const { clock, advance } = manualClock();
    const store = new MemoryNonceStore({ maxEntries: 3, maxEntriesPerKey: 3, clock });
    const [a, b, c] = [generateNonce(), generateNonce(), generateNonce()];
    await store.checkAndStore('k', a, clock() + 300);
    await store.checkAndStore('k', b, clock() + 100);
    await store.checkAndStore('k', c, clock() + 200);
    advance(100); // b has expired
    expect(await store.checkAndStore('k', generateNonce(), clock() + 1000)).toBe(true);
    expect(await store.checkAndStore('k', a, clock() + 1000)).toBe(false);
    expect(await store.checkAndStore('k', c, clock() + 1000)).toBe(false);
    expect(await store.checkAndStore('k', b, clock() + 1000).catch((e: unknown) => e)).toMatchObject({ code: 'nonce_store_full' });
    advance(200); // a and c have expired
    expect(await store.checkAndStore('k', b, clock() + 1000)).toBe(true);
    expect(store.size).toBe(2);
  });

  it('stays bounded under a long stream of nonces with a short window', async () => {
    const { clock, advance } = manualClock();
    const store = new MemoryNonceStore({ maxEntries: 50, maxEntriesPerKey: 50, clock });
    for (let i = 0; i < 5000; i++) {
      expect(await store.checkAndStore('k', `n${i}`.padEnd(22, 'x'), clock() + 40)).toBe(true);
      advance(1);
    }
    expect(store.size).toBeLessThanOrEqual(40);
  });

  it('validates its options and shows no nonce through inspect or JSON', async () => {
    expect(() => new MemoryNonceStore({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => new MemoryNonceStore({ maxEntries: 1.5 })).toThrow(/maxEntries/);
    expect(() => new MemoryNonceStore({ sizes: 1 } as never)).toThrow(/sizes/);
    expect(() => new MemoryNonceStore({ maxEntriesPerKey: 0 })).toThrow(/maxEntriesPerKey/);
    expect(() => new MemoryNonceStore({ maxEntries: 10, maxEntriesPerKey: 11 })).toThrow(/maxEntriesPerKey must not exceed maxEntries/);
    expect(() => new MemoryNonceStore({ maxEntriesPerKey: 100_001 })).toThrow(/maxEntriesPerKey must not exceed maxEntries/);
    const store = new MemoryNonceStore({ maxEntries: 10 });
    const nonce = generateNonce();
    await store.checkAndStore('client-1', nonce, Date.now() + 1000);
    expect(inspect(store, { showHidden: true, depth: 5 })).toBe('MemoryNonceStore { size: 1, maxEntries: 10, maxEntriesPerKey: 3 }');
    expect(JSON.stringify(store)).toBe('{"size":1,"maxEntries":10,"maxEntriesPerKey":3}');
    await store.close();
    expect(store.size).toBe(0);
  });
});
