// MemoryNonceStore keeps its expiries in a FIFO queue while they arrive in
// order and in a min-heap when one arrives early (memory-nonce-store.ts).
// Against a plain model (a map, every expired pair dropped before each
// call, the total and per-key-id bounds counted), any sequence of calls must
// give the same answers and the same size.
import { isSigilError } from '@sigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryNonceStore } from '../src/index.js';

type Op = { kind: 'advance'; ms: number } | { kind: 'store'; keyId: string; nonce: number; ttl: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('store' as const),
      keyId: fc.constantFrom('a', 'b', 'c'),
      nonce: fc.integer({ min: 0, max: 40 }),
      // Mostly the same lifetime (in order), sometimes shorter or longer (out of order).
      ttl: fc.oneof({ weight: 3, arbitrary: fc.constant(100) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }) }),
    }),
  },
);

/** What the store must answer: true, false or 'full'. */
class Model {
  readonly pairs = new Map<string, number>();
  constructor(
    private readonly max: number,
    private readonly perKey: number,
  ) {}
  call(keyId: string, nonce: string, expiry: number, now: number): boolean | 'full' {
    for (const [key, at] of this.pairs) if (at <= now) this.pairs.delete(key);
    const id = `${keyId}\n${nonce}`;
    if (this.pairs.has(id)) return false;
    const ofKey = [...this.pairs.keys()].filter((k) => k.startsWith(`${keyId}\n`)).length;
    if (this.pairs.size >= this.max || ofKey >= this.perKey) return 'full';
    this.pairs.set(id, expiry);
    return true;
  }
}

async function answer(store: MemoryNonceStore, keyId: string, nonce: string, expiry: number): Promise<boolean | 'full'> {
  try {
    return await store.checkAndStore(keyId, nonce, expiry);
  } catch (error) {
    if (isSigilError(error, 'nonce_store_full')) return 'full';
    throw error;
  }
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A nonce as Sigil clients send it: 16 bytes, base64url (the store keeps it as four words). */
const compactOf = (n: number): string => {
  const bytes = Buffer.alloc(16);
  bytes.writeInt32BE(n, 0);
  bytes.writeInt32BE(Math.imul(n, 0x9e3779b1), 12);
  return bytes.toString('base64url');
};

/**
 * The nonces the tests use, of every kind the store keeps apart: n % 3 == 0
 * a compact one; 1 the same text with a non-canonical last character (the
 * same 16 bytes to a lax decoder, a different nonce to the store); 2 one
 * of 22 characters kept as a string.
 */
const nonceOf = (n: number): string => {
  const kind = ((n % 3) + 3) % 3;
  if (kind === 2) return `nonce-${n}`.padEnd(22, 'x');
  const compact = compactOf(n - kind);
  return kind === 0 ? compact : compact.slice(0, 21) + B64URL[B64URL.indexOf(compact[21]!) + 1];
};

describe('MemoryNonceStore against a model', () => {
  it('keeps a compact nonce and its non-canonical twin apart, and both apart from text nonces', async () => {
    let now = 1_000_000;
    const store = new MemoryNonceStore({ maxEntries: 100, maxEntriesPerKey: 100, clock: () => now });
    const twins = [nonceOf(0), nonceOf(1), nonceOf(3), nonceOf(4), nonceOf(2)];
    expect(new Set(twins.map((t) => Buffer.from(t, 'base64url').toString('hex'))).size).toBeLessThan(twins.length);
    for (const n of twins) expect(await store.checkAndStore('k', n, now + 100)).toBe(true);
    for (const n of twins) expect(await store.checkAndStore('k', n, now + 100)).toBe(false);
    // Another key id holds its own.
    for (const n of twins) expect(await store.checkAndStore('k2', n, now + 100)).toBe(true);
    expect(store.size).toBe(2 * twins.length);
    now += 100;
    for (const n of twins) expect(await store.checkAndStore('k', n, now + 100)).toBe(true);
    expect(store.size).toBe(twins.length);
  });

  it('answers and sizes as the model does for any sequence of calls and clock moves, with any per-key share', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 300 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), async (ops, max, share) => {
        let now = 1_000_000;
        const perKey = Math.max(1, Math.round(max * share));
        const store = new MemoryNonceStore({ maxEntries: max, maxEntriesPerKey: perKey, clock: () => now });
        const model = new Model(max, perKey);
        for (const o of ops) {
          if (o.kind === 'advance') {
            now += o.ms;
            continue;
          }
          const nonce = nonceOf(o.nonce);
          const expected = model.call(o.keyId, nonce, now + o.ttl, now);
          expect(await answer(store, o.keyId, nonce, now + o.ttl)).toBe(expected);
          expect(store.size).toBe(model.pairs.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('drops a long in-order run exactly at its expiries (the queue compacts) and keeps the rest', async () => {
    let now = 1_000_000;
    const store = new MemoryNonceStore({ maxEntries: 10_000, maxEntriesPerKey: 10_000, clock: () => now });
    for (let i = 0; i < 3000; i++) expect(await store.checkAndStore('k', nonceOf(i), now + 1000 + i)).toBe(true);
    // One out of order, into the heap.
    expect(await store.checkAndStore('k', nonceOf(-1), now + 500)).toBe(true);
    now += 1000 + 1999; // the first 2000 of the run and the early one have expired
    expect(await store.checkAndStore('k', nonceOf(0), now + 5000)).toBe(true);
    expect(store.size).toBe(1001);
    for (let i = 2000; i < 3000; i++) expect(await store.checkAndStore('k', nonceOf(i), now + 5000)).toBe(false);
    expect(await store.checkAndStore('k', nonceOf(-1), now + 5000)).toBe(true);
    now += 1000; // the rest of the run has expired; nonce 0 and -1 live on
    expect(await store.checkAndStore('k', nonceOf(2999), now + 5000)).toBe(true);
    expect(store.size).toBe(3);
  });

  it('holds every live nonce and no expired one through the table growing to thousands of slots and shrinking back', async () => {
    // The nonces of a key id live in an open-addressing table (linear
    // probing, backward-shift deletion): removals in any order, between
    // growths and shrinks, must never lose a live nonce or keep a dead one.
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 2 ** 31 }), async (waves, seed) => {
        let now = 1_000_000;
        const store = new MemoryNonceStore({ maxEntries: 100_000, maxEntriesPerKey: 100_000, clock: () => now });
        const live = new Map<string, number>();
        let next = seed;
        for (const count of waves) {
          for (let i = 0; i < count * 10; i++) {
            next = (Math.imul(next, 1_103_515_245) + 12_345) >>> 0;
            const nonce = nonceOf(next % 5000);
            const expiry = now + 1 + (next % 97);
            for (const [n, at] of live) if (at <= now) live.delete(n);
            expect(await store.checkAndStore('k', nonce, expiry)).toBe(!live.has(nonce));
            if (!live.has(nonce)) live.set(nonce, expiry);
          }
          now += 50;
          for (const [n, at] of live) if (at <= now) live.delete(n);
          // A replay of each live nonce is refused; the count matches once purged.
          for (const n of live.keys()) expect(await store.checkAndStore('k', n, now + 1_000)).toBe(false);
          if (live.size > 0) expect(store.size).toBe(live.size);
        }
        now += 1_000;
        expect(await store.checkAndStore('k', nonceOf(0), now + 1)).toBe(true);
        expect(store.size).toBe(1);
      }),
      { numRuns: 6 },
    );
  });
});
