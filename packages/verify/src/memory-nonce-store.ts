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
 * plus its parent (72), and one less pointer to chase when the table
 * compares keys.
 */
const ownNonce = (nonce: string): string => encodeURIComponent(nonce);

// The nonces of one key id live in an open-addressing table of their own
// (linear probing, 32-bit hashes kept beside the keys): a miss among
// hundreds of thousands of live nonces, every fresh request's case, reads
// one slot of an Int32Array instead of a Map's bucket, entry and key
// string, each a cache miss at that size. The hash is simple tabulation
// over random tables made once per process: keyed, so a key holder cannot
// choose nonces that pile up in one run of slots, and with it linear
// probing takes expected constant time whatever the nonces are (Patrascu
// and Thorup, "The power of simple tabulation hashing", 2011).

/** Characters hashed: a nonce is base64url (ASCII), at most 128 of them. */
const POSITIONS = 128;
let tables: Int32Array | undefined;

/** `n` random words (tables made once per process, on first use). */
function randomWords(n: number): Int32Array {
  const out = new Int32Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < out.length; i += 16_384) crypto.getRandomValues(out.subarray(i, i + 16_384));
  return out;
}

/** The tabulation hash of a nonce of base64url characters: 32 bits, never 0. */
function hashNonce(nonce: string): number {
  // Made on first use, not at import: workerd forbids random values in global scope.
  // 128 random words per character position, then one per length.
  const t = (tables ??= randomWords(POSITIONS * 128 + POSITIONS + 1));
  const length = nonce.length;
  let h = t[POSITIONS * 128 + length]!;
  for (let i = 0; i < length; i++) h ^= t[(i << 7) | (nonce.charCodeAt(i) & 127)]!;
  return h | 1;
}

const MIN_SLOTS = 16;

/**
 * The live nonces of one key id: a set of strings. A set, not a map to
 * expiries: a pair is stored only when absent and has exactly one queue or
 * heap entry, which alone removes it, so no expiry needs checking on removal.
 */
class NonceTable {
  /** Hash per slot, 0 for an empty one. */
  #hashes = new Int32Array(MIN_SLOTS);
  #keys: Array<string | undefined> = new Array<string | undefined>(MIN_SLOTS).fill(undefined);
  /** 32 minus log2 of the slot count: a hash's home slot is its top bits. */
  #shift = Math.clz32(MIN_SLOTS) + 1;
  size = 0;

  /** The slot holding `nonce`, or -1. */
  #find(nonce: string, h: number): number {
    const hashes = this.#hashes;
    const mask = hashes.length - 1;
    for (let i = h >>> this.#shift; ; i = (i + 1) & mask) {
      const at = hashes[i]!;
      if (at === 0) return -1;
      if (at === h && this.#keys[i] === nonce) return i;
    }
  }

  has(nonce: string, h: number): boolean {
    return this.#find(nonce, h) >= 0;
  }

  /** Adds a nonce that `has` just said is absent. */
  add(nonce: string, h: number): void {
    if ((this.size + 1) * 2 > this.#hashes.length) this.#resize(this.#hashes.length * 2);
    this.#place(nonce, h);
    this.size++;
  }

  /** Removes a nonce; false when it was not held. */
  delete(nonce: string): boolean {
    const hashes = this.#hashes;
    const keys = this.#keys;
    const mask = hashes.length - 1;
    const shift = this.#shift;
    let hole = this.#find(nonce, hashNonce(nonce));
    if (hole < 0) return false;
    // Backward-shift deletion: no tombstones; each later key of the run
    // whose home slot is not between the hole and itself moves into it.
    for (let j = (hole + 1) & mask; hashes[j] !== 0; j = (j + 1) & mask) {
      const home = hashes[j]! >>> shift;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        hashes[hole] = hashes[j]!;
        keys[hole] = keys[j];
        hole = j;
      }
    }
    hashes[hole] = 0;
    keys[hole] = undefined;
    this.size--;
    if (this.size * 8 < hashes.length && hashes.length > MIN_SLOTS) this.#resize(hashes.length / 2);
    return true;
  }

  #place(nonce: string, h: number): void {
    const hashes = this.#hashes;
    const mask = hashes.length - 1;
    let i = h >>> this.#shift;
    while (hashes[i] !== 0) i = (i + 1) & mask;
    hashes[i] = h;
    this.#keys[i] = nonce;
  }

  #resize(slots: number): void {
    const hashes = this.#hashes;
    const keys = this.#keys;
    this.#hashes = new Int32Array(slots);
    this.#keys = new Array<string | undefined>(slots).fill(undefined);
    this.#shift = Math.clz32(slots) + 1;
    for (let i = 0; i < hashes.length; i++) if (hashes[i] !== 0) this.#place(keys[i]!, hashes[i]!);
  }
}

// A Sigil client's nonce is 16 random bytes in base64url: 22 characters,
// the last one's low four bits zero. Such a nonce is kept as those 16 bytes,
// four 32-bit words in a typed array beside its hash, instead of as a
// string: no string is copied or allocated per request, none is left for
// the garbage collector to move, and a probe compares words in the slot's
// own cache line. Any other nonce (another length, a non-canonical last
// character) takes the string table above.

/** base64url character code to its 6-bit value, -1 for any other. */
const SEXTET = ((): Int8Array => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

const sextet = (nonce: string, i: number): number => {
  const c = nonce.charCodeAt(i);
  return c < 128 ? SEXTET[c]! : -1;
};

/**
 * Writes the 16 bytes of a 22-character canonical base64url nonce into
 * `out[at]` to `out[at + 3]`: characters 0-19 five to a word (30 bits each),
 * the 8 bits of characters 20-21 two to each word's top. False, with `out`
 * partly written, for any other nonce.
 */
function compactNonce(nonce: string, out: Int32Array, at: number): boolean {
  if (nonce.length !== 22) return false;
  const last = sextet(nonce, 20);
  const end = sextet(nonce, 21);
  // A non-canonical last character would decode to the same bytes as the canonical one.
  if (last < 0 || end < 0 || (end & 15) !== 0) return false;
  // The two bits each word takes from characters 20 and 21, in word order.
  const top = (last << 6) | end;
  for (let k = 0; k < 4; k++) {
    let word = 0;
    for (let i = 5 * k; i < 5 * k + 5; i++) {
      const v = sextet(nonce, i);
      if (v < 0) return false;
      word = (word << 6) | v;
    }
    out[at + k] = word | (((top >> (10 - 2 * k)) & 3) << 30);
  }
  return true;
}

let wordTables: Int32Array | undefined;

/** Simple tabulation over the 16 bytes of a compact nonce: 32 bits, never 0. */
function hashWords(w: Int32Array, at: number): number {
  // 256 random words per byte position.
  const t = (wordTables ??= randomWords(16 * 256));
  let h = 0;
  for (let k = 0; k < 4; k++) {
    const word = w[at + k]!;
    const base = k << 10;
    h ^= t[base | (word & 255)]! ^ t[base | 256 | ((word >>> 8) & 255)]! ^ t[base | 512 | ((word >>> 16) & 255)]! ^ t[base | 768 | (word >>> 24)]!;
  }
  return h | 1;
}

/** Words per compact slot: the hash (0 for an empty slot), then the nonce's four. */
const SLOT = 5;

/**
 * The live compact nonces of one key id: the string table's probing, over
 * words. A slot's hash and words sit side by side, so a probe that finds
 * its slot reads one cache line.
 */
class CompactTable {
  #slots = new Int32Array(MIN_SLOTS * SLOT);
  /** Slot count minus one. */
  #mask = MIN_SLOTS - 1;
  #shift = Math.clz32(MIN_SLOTS) + 1;
  size = 0;

  /** The slot holding the nonce at `w[at..at+3]`, or -1. */
  #find(w: Int32Array, at: number, h: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = h >>> this.#shift; ; i = (i + 1) & mask) {
      const o = i * SLOT;
      const seen = slots[o]!;
      if (seen === 0) return -1;
      if (seen === h && slots[o + 1] === w[at] && slots[o + 2] === w[at + 1] && slots[o + 3] === w[at + 2] && slots[o + 4] === w[at + 3]) return i;
    }
  }

  has(w: Int32Array, at: number, h: number): boolean {
    return this.#find(w, at, h) >= 0;
  }

  /** Adds a nonce that `has` just said is absent. */
  add(w: Int32Array, at: number, h: number): void {
    if ((this.size + 1) * 2 > this.#mask + 1) this.#resize((this.#mask + 1) * 2);
    this.#place(w, at, h);
    this.size++;
  }

  /** Removes a nonce; false when it was not held. */
  delete(w: Int32Array, at: number, h: number): boolean {
    const slots = this.#slots;
    const mask = this.#mask;
    const shift = this.#shift;
    let hole = this.#find(w, at, h);
    if (hole < 0) return false;
    // Backward-shift deletion, as in the string table.
    for (let j = (hole + 1) & mask; slots[j * SLOT] !== 0; j = (j + 1) & mask) {
      const home = slots[j * SLOT]! >>> shift;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        slots.copyWithin(hole * SLOT, j * SLOT, j * SLOT + SLOT);
        hole = j;
      }
    }
    slots[hole * SLOT] = 0;
    this.size--;
    if (this.size * 8 < mask + 1 && mask + 1 > MIN_SLOTS) this.#resize((mask + 1) / 2);
    return true;
  }

  #place(w: Int32Array, at: number, h: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = h >>> this.#shift;
    while (slots[i * SLOT] !== 0) i = (i + 1) & mask;
    const o = i * SLOT;
    slots[o] = h;
    slots[o + 1] = w[at]!;
    slots[o + 2] = w[at + 1]!;
    slots[o + 3] = w[at + 2]!;
    slots[o + 4] = w[at + 3]!;
  }

  #resize(count: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(count * SLOT);
    this.#mask = count - 1;
    this.#shift = Math.clz32(count) + 1;
    for (let o = 0; o < old.length; o += SLOT) if (old[o] !== 0) this.#place(old, o + 1, old[o]!);
  }
}

/** The live nonces of one key id: compact ones, and the rest as strings. */
interface Bucket {
  readonly keyId: string;
  readonly compact: CompactTable;
  readonly nonces: NonceTable;
}

const bucketSize = (bucket: Bucket): number => bucket.compact.size + bucket.nonces.size;

/** The words of the nonce being checked, and of one being purged from the heap. */
const incoming = new Int32Array(4);
const outgoing = new Int32Array(4);

/** Words per FIFO queue entry: the hash, then a compact nonce's four. */
const QUEUE_WORDS = 5;

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
  /** The nonce of a string entry; null for a compact one, whose hash and words are in #queueWords. */
  readonly #queueNonces: Array<string | null> = [];
  /** Five words per queue entry: hash, then the compact nonce's four words. */
  #queueWords = new Int32Array(QUEUE_WORDS * 1024);
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
    this.#queueWords = new Int32Array(QUEUE_WORDS * 1024);
    this.#head = 0;
    this.#heap.length = 0;
  }

  #check(keyId: string, nonce: string, expiresAtMs: number): boolean {
    const now = this.#clock();
    // The shared checks, minus what is already known: a key id with a
    // bucket was checked when the bucket was made, and a nonce that decodes
    // to a compact one is base64url. Anything else gets them all, in their
    // order, so every bad argument is refused as by every other store.
    let bucket = this.#byKey.get(keyId);
    const compact = bucket !== undefined && typeof nonce === 'string' && compactNonce(nonce, incoming, 0);
    if (!compact || typeof expiresAtMs !== 'number' || !(expiresAtMs > now) || expiresAtMs === Infinity) {
      checkNonceArguments(keyId, nonce, expiresAtMs, now);
    }
    this.#purge(now);
    // A bucket in the map is never empty: one the purge emptied, it dropped.
    if (bucket !== undefined && bucketSize(bucket) === 0) bucket = undefined;
    const copy = compact || compactNonce(nonce, incoming, 0);
    // A string nonce is copied first, so that has() and add() hash one
    // string (a slice of the header would be hashed, then its copy again).
    if (!copy) nonce = ownNonce(nonce);
    const h = copy ? hashWords(incoming, 0) : hashNonce(nonce);
    // After the purge, every pair still held is live.
    if (bucket !== undefined && (copy ? bucket.compact.has(incoming, 0, h) : bucket.nonces.has(nonce, h))) return false;
    if (this.#size >= this.#maxEntries || (bucket !== undefined && bucketSize(bucket) >= this.#maxPerKey)) {
      throw new SigilError('nonce_store_full');
    }
    if (!bucket) {
      const copied = own(keyId);
      this.#byKey.set(copied, (bucket = { keyId: copied, compact: new CompactTable(), nonces: new NonceTable() }));
    }
    if (copy) bucket.compact.add(incoming, 0, h);
    else bucket.nonces.add(nonce, h);
    this.#size++;
    const at = this.#queueAt;
    if (at.length === this.#head || at[at.length - 1]! <= expiresAtMs) {
      const o = at.push(expiresAtMs) * QUEUE_WORDS - QUEUE_WORDS;
      this.#queueBuckets.push(bucket);
      this.#queueNonces.push(copy ? null : nonce);
      if (copy) {
        if (o + QUEUE_WORDS > this.#queueWords.length) this.#growQueue();
        const words = this.#queueWords;
        words[o] = h;
        words.set(incoming, o + 1);
      }
    } else {
      // Out of order, and rare: the heap keeps a flat copy of the text.
      this.#push([expiresAtMs, bucket, copy ? own(nonce) : nonce]);
    }
    return true;
  }

  #growQueue(): void {
    const grown = new Int32Array(this.#queueWords.length * 2);
    grown.set(this.#queueWords);
    this.#queueWords = grown;
  }

  #purge(now: number): void {
    const at = this.#queueAt;
    const buckets = this.#queueBuckets;
    const nonces = this.#queueNonces;
    const words = this.#queueWords;
    let head = this.#head;
    while (head < at.length && at[head]! <= now) {
      const bucket = buckets[head]!;
      const nonce = nonces[head]!;
      const o = head * QUEUE_WORDS;
      this.#forgotten(bucket, nonce === null ? bucket.compact.delete(words, o + 1, words[o]!) : bucket.nonces.delete(nonce));
      head++;
    }
    if (head === at.length) {
      at.length = 0;
      buckets.length = 0;
      nonces.length = 0;
      // A queue that once held a flood gives its words back when it empties.
      if (words.length > QUEUE_WORDS * 1024) this.#queueWords = new Int32Array(QUEUE_WORDS * 1024);
      head = 0;
    } else if (head >= 1024 && head * 2 >= at.length) {
      // Drop the purged front in one go once it is most of the arrays.
      words.copyWithin(0, head * QUEUE_WORDS, at.length * QUEUE_WORDS);
      at.splice(0, head);
      buckets.splice(0, head);
      nonces.splice(0, head);
      head = 0;
    }
    this.#head = head;
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]![0] <= now) {
      const [, bucket, nonce] = this.#pop();
      const compact = compactNonce(nonce, outgoing, 0);
      this.#forgotten(bucket, compact ? bucket.compact.delete(outgoing, 0, hashWords(outgoing, 0)) : bucket.nonces.delete(nonce));
    }
  }

  /** After an expired entry's pair was dropped (`held`: it was still there): counts it, and drops an emptied key id. */
  #forgotten(bucket: Bucket, held: boolean): void {
    if (!held) return;
    this.#size--;
    if (bucketSize(bucket) === 0 && this.#byKey.get(bucket.keyId) === bucket) this.#byKey.delete(bucket.keyId);
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
