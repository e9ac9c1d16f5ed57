import { SigilError } from '@sigil/core';
import { z } from 'zod';
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
  /** Milliseconds since the epoch. Default `Date.now`. */
  readonly clock?: () => number;
}

const optionsSchema = z
  .object({
    maxEntries: z.number().int().min(1).max(50_000_000).optional(),
    clock: z.custom<() => number>((v) => typeof v === 'function', { message: 'expected a function' }).optional(),
  })
  .strict();

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * @internal The synchronous check-and-store behind `checkAndStore()`, for
 * the verifier's pipeline (lib/checks.ts): awaiting the store costs a
 * microtask turn per request. Not exported from the package.
 */
export let checkNow: (store: MemoryNonceStore, keyId: string, nonce: string, expiresAtMs: number) => boolean;

/**
 * The replay store of one process. Bounded: when full of live nonces it
 * refuses with `nonce_store_full` (the verifier answers 503) and never evicts
 * a live nonce, since evicting one would re-open its replay. Expired nonces
 * are dropped lazily, earliest first; no timers.
 *
 * For several server instances use a shared store such as `@sigil/redis`.
 *
 * @example
 * const verifier = createVerifier({ keys, nonceStore: new MemoryNonceStore({ maxEntries: 200_000 }) });
 */
export class MemoryNonceStore implements NonceStore {
  readonly #maxEntries: number;
  readonly #clock: () => number;
  /** `keyId LF nonce` -> expiry in ms. LF can appear in neither. */
  readonly #expiry = new Map<string, number>();
  // Expiries to purge, earliest first. A verifier's expiries mostly arrive
  // in order (ts + window), so they go to a FIFO queue (two flat arrays from
  // #head on): O(1), no allocation per nonce. One earlier than the queue's
  // last goes to a min-heap instead; #purge drains both.
  readonly #queueAt: number[] = [];
  readonly #queueIds: string[] = [];
  #head = 0;
  readonly #heap: Array<readonly [number, string]> = [];

  static {
    checkNow = (store, keyId, nonce, expiresAtMs) => store.#check(keyId, nonce, expiresAtMs);
  }

  constructor(options: MemoryNonceStoreOptions = {}) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new SigilError('invalid_option', { detail: describeIssue(parsed.error, 'options') });
    }
    this.#maxEntries = parsed.data.maxEntries ?? 100_000;
    this.#clock = parsed.data.clock ?? Date.now;
  }

  /** Nonces currently held (expired ones may linger until the next call). */
  get size(): number {
    return this.#expiry.size;
  }

  /**
   * Stores `(keyId, nonce)` until `expiresAtMs` unless already held. Atomic:
   * everything happens synchronously before the promise settles.
   *
   * @example
   * await store.checkAndStore('client-1', nonce, Date.now() + 601_000); // true, then false
   */
  async checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    return this.#check(keyId, nonce, expiresAtMs);
  }

  /** Forgets every nonce. */
  async close(): Promise<void> {
    this.#expiry.clear();
    this.#queueAt.length = 0;
    this.#queueIds.length = 0;
    this.#head = 0;
    this.#heap.length = 0;
  }

  #check(keyId: string, nonce: string, expiresAtMs: number): boolean {
    const now = this.#clock();
    checkNonceArguments(keyId, nonce, expiresAtMs, now);
    this.#purge(now);
    const id = `${keyId}\n${nonce}`;
    // After the purge, every pair still held is live.
    if (this.#expiry.has(id)) return false;
    if (this.#expiry.size >= this.#maxEntries) throw new SigilError('nonce_store_full');
    this.#expiry.set(id, expiresAtMs);
    const at = this.#queueAt;
    if (at.length === this.#head || at[at.length - 1]! <= expiresAtMs) {
      at.push(expiresAtMs);
      this.#queueIds.push(id);
    } else {
      this.#push([expiresAtMs, id]);
    }
    return true;
  }

  #purge(now: number): void {
    const at = this.#queueAt;
    const ids = this.#queueIds;
    let head = this.#head;
    while (head < at.length && at[head]! <= now) {
      this.#forget(ids[head]!, at[head]!);
      head++;
    }
    if (head === at.length) {
      at.length = 0;
      ids.length = 0;
      head = 0;
    } else if (head >= 1024 && head * 2 >= at.length) {
      // Drop the purged front in one go once it is most of the arrays.
      at.splice(0, head);
      ids.splice(0, head);
      head = 0;
    }
    this.#head = head;
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]![0] <= now) {
      const [expiry, id] = this.#pop();
      this.#forget(id, expiry);
    }
  }

  /** Drops the pair only if this entry is still its current expiry. */
  #forget(id: string, expiry: number): void {
    if (this.#expiry.get(id) === expiry) this.#expiry.delete(id);
  }

  #push(item: readonly [number, string]): void {
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

  #pop(): readonly [number, string] {
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
    return `MemoryNonceStore { size: ${this.size}, maxEntries: ${this.#maxEntries} }`;
  }

  toJSON(): { size: number; maxEntries: number } {
    return { size: this.size, maxEntries: this.#maxEntries };
  }
}
