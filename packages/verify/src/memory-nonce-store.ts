import { SigilError } from '@sigil/core';
import { parseOptions } from '@sigil/core/options';
import * as z from 'zod/mini';
import { describeIssue } from './lib/issue.js';
import type { NonceStore } from './nonce-store.js';
import { checkNonceArguments } from './store/arguments.js';

/**
 * Options of MemoryNonceStore.
 *
 * @example
 * const options: MemoryNonceStoreOptions = { maxEntries: 50_000 };
 */
export interface MemoryNonceStoreOptions {
  /**
   * Most nonces held at once. Size it for your peak rate times the window:
   * 100 requests/s with a 300 s tolerance keep up to 60,100 live nonces.
   * Default 100,000.
   */
  readonly maxEntries?: number;
  /**
   * Most nonces one key id holds at once, so that one key holder's valid
   * requests cannot fill the store and lock every other key out. Size it for
   * the peak rate of your busiest key times the window. Default a quarter of
   * `maxEntries` (25,000 of the default 100,000); at most `maxEntries`.
   */
  readonly maxEntriesPerKey?: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  readonly clock?: () => number;
}

const DEFAULT_MAX = 100_000;

const optionsSchema = z
  .strictObject({
    maxEntries: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(50_000_000))),
    maxEntriesPerKey: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(50_000_000))),
    clock: z.optional(z.custom<() => number>((v) => typeof v === 'function', { message: 'expected a function' })),
  })
  .check(
    z.refine((o) => o.maxEntriesPerKey === undefined || o.maxEntriesPerKey <= (o.maxEntries ?? DEFAULT_MAX), {
      message: 'maxEntriesPerKey must not exceed maxEntries',
      path: ['maxEntriesPerKey'],
    }),
  );

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A copy of `s` that holds no reference to a larger string. V8 makes a
 * substring of 13+ characters a slice pointing into its parent, so a nonce
 * cut from a 64 KB header would keep the whole header alive for the window
 * (~66 KB per entry instead of under 2 KB; test/memory-store-retention).
 * Concatenating forces a copy of `s` alone (itself a slice of a private
 * one-character-longer string).
 */
function own(s: string): string {
  return (' ' + s).slice(1);
}

/**
 * A flat copy of a nonce. `checkNonceArguments` has checked it is base64url,
 * which `encodeURIComponent` leaves as is, writing it into a new flat
 * string: one object of 40 bytes per live nonce where `own` keeps a slice
 * plus its parent (72), and one less pointer to chase when the Map compares
 * keys.
 */
const ownNonce = (nonce: string): string => encodeURIComponent(nonce);

/**
 * The live nonces of one key id. A Set, not a Map to expiries: a pair is
 * stored only when absent and has exactly one queue or heap entry, which
 * alone removes it, so no expiry needs checking on removal (and a Set entry
 * holds no number: less memory, and no heap number allocated per nonce).
 */
interface Bucket {
  readonly keyId: string;
  readonly nonces: Set<string>;
}

/** A heap entry: expiry, the key id's bucket, the nonce. */
type HeapItem = readonly [number, Bucket, string];

/**
 * @internal The synchronous check-and-store behind `checkAndStore()`, for
 * the verifier's pipeline (lib/checks.ts): awaiting the store costs a
 * microtask turn per request. Not exported from the package.
 */
export let checkNow: (store: MemoryNonceStore, keyId: string, nonce: string, expiresAtMs: number) => boolean;

/**
 * The replay store of one process. Bounded in total and per key id: when
 * full of live nonces (or when this key id's share is) it refuses with
 * `nonce_store_full` (the verifier answers 503) and never evicts a live
 * nonce, since evicting one would re-open its replay. One key holder's flood
 * fills only its own share. Expired nonces
 * are dropped lazily, earliest first; no timers.
 *
 * For several server instances use a shared store such as `@sigil/redis`.
 *
 * @example
 * const verifier = createVerifier({ keys, nonceStore: new MemoryNonceStore({ maxEntries: 200_000, maxEntriesPerKey: 50_000 }) });
 */
export class MemoryNonceStore implements NonceStore {
  readonly #maxEntries: number;
  readonly #maxPerKey: number;
  readonly #clock: () => number;
  /** The nonces of each key id. */
  readonly #byKey = new Map<string, Bucket>();
  #size = 0;
  // Expiries to purge, earliest first. A verifier's expiries mostly arrive
  // in order (ts + window), so they go to a FIFO queue (flat arrays from
  // #head on): O(1), no allocation per nonce. One earlier than the queue's
  // last goes to a min-heap instead; #purge drains both.
  readonly #queueAt: number[] = [];
  readonly #queueBuckets: Bucket[] = [];
  readonly #queueNonces: string[] = [];
  #head = 0;
  readonly #heap: HeapItem[] = [];

  static {
    checkNow = (store, keyId, nonce, expiresAtMs) => store.#check(keyId, nonce, expiresAtMs);
  }

  constructor(options: MemoryNonceStoreOptions = {}) {
    const parsed = parseOptions(optionsSchema, options);
    if (!parsed.success) {
      throw new SigilError('invalid_option', { detail: describeIssue(parsed.error, 'options') });
    }
    this.#maxEntries = parsed.data.maxEntries ?? DEFAULT_MAX;
    this.#maxPerKey = parsed.data.maxEntriesPerKey ?? Math.ceil(this.#maxEntries / 4);
    this.#clock = parsed.data.clock ?? Date.now;
  }

  /** Nonces currently held (expired ones may linger until the next call). */
  get size(): number {
    return this.#size;
  }

  /**
   * Stores `(keyId, nonce)` until `expiresAtMs` unless already held. Atomic:
   * everything happens synchronously before the promise settles. Rejects
   * with `nonce_store_full` when the store, or this key id's share, is full
   * of live nonces.
   *
   * @example
   * await store.checkAndStore('client-1', nonce, Date.now() + 601_000); // true, then false
   */
  async checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    return this.#check(keyId, nonce, expiresAtMs);
  }

  /** Forgets every nonce. */
  async close(): Promise<void> {
    this.#byKey.clear();
    this.#size = 0;
    this.#queueAt.length = 0;
    this.#queueBuckets.length = 0;
    this.#queueNonces.length = 0;
    this.#head = 0;
    this.#heap.length = 0;
  }

  #check(keyId: string, nonce: string, expiresAtMs: number): boolean {
    const now = this.#clock();
    checkNonceArguments(keyId, nonce, expiresAtMs, now);
    this.#purge(now);
    let bucket = this.#byKey.get(keyId);
    // Copied first, so that has() and set() hash one string (a slice of the
    // header would be hashed, then its copy again).
    nonce = ownNonce(nonce);
    // After the purge, every pair still held is live.
    if (bucket?.nonces.has(nonce)) return false;
    if (this.#size >= this.#maxEntries || (bucket !== undefined && bucket.nonces.size >= this.#maxPerKey)) {
      throw new SigilError('nonce_store_full');
    }
    if (!bucket) {
      const copied = own(keyId);
      this.#byKey.set(copied, (bucket = { keyId: copied, nonces: new Set() }));
    }
    bucket.nonces.add(nonce);
    this.#size++;
    const at = this.#queueAt;
    if (at.length === this.#head || at[at.length - 1]! <= expiresAtMs) {
      at.push(expiresAtMs);
      this.#queueBuckets.push(bucket);
      this.#queueNonces.push(nonce);
    } else {
      this.#push([expiresAtMs, bucket, nonce]);
    }
    return true;
  }

  #purge(now: number): void {
    const at = this.#queueAt;
    const buckets = this.#queueBuckets;
    const nonces = this.#queueNonces;
    let head = this.#head;
    while (head < at.length && at[head]! <= now) {
      this.#forget(buckets[head]!, nonces[head]!);
      head++;
    }
    if (head === at.length) {
      at.length = 0;
      buckets.length = 0;
      nonces.length = 0;
      head = 0;
    } else if (head >= 1024 && head * 2 >= at.length) {
      // Drop the purged front in one go once it is most of the arrays.
      at.splice(0, head);
      buckets.splice(0, head);
      nonces.splice(0, head);
      head = 0;
    }
    this.#head = head;
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]![0] <= now) {
      const [, bucket, nonce] = this.#pop();
      this.#forget(bucket, nonce);
    }
  }

  /** Drops the pair of an expired entry (counted only if it was held); drops an emptied key id. */
  #forget(bucket: Bucket, nonce: string): void {
    if (!bucket.nonces.delete(nonce)) return;
    this.#size--;
    if (bucket.nonces.size === 0 && this.#byKey.get(bucket.keyId) === bucket) this.#byKey.delete(bucket.keyId);
  }

  #push(item: HeapItem): void {
    const heap = this.#heap;
    let i = heap.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]![0] <= item[0]) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  }

  #pop(): HeapItem {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const c = r < heap.length && heap[r]![0] < heap[l]![0] ? r : l;
      if (heap[c]![0] >= last[0]) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  }

  /** Size and capacity only: nonces never show. */
  [INSPECT](): string {
    return `MemoryNonceStore { size: ${this.size}, maxEntries: ${this.#maxEntries}, maxEntriesPerKey: ${this.#maxPerKey} }`;
  }

  toJSON(): { size: number; maxEntries: number; maxEntriesPerKey: number } {
    return { size: this.size, maxEntries: this.#maxEntries, maxEntriesPerKey: this.#maxPerKey };
  }
}
