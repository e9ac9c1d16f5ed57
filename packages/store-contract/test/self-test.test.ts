// Tests the contract itself: a minimal correct store passes every check, and
// every check fails against a store with the one flaw it guards against.
import { SigilError } from '@sigil/core';
import type { NonceStore } from '@sigil/verify';
import { checkNonceArguments } from '@sigil/verify/store';
import { describe, expect, it } from 'vitest';
import { CAPACITY_CHECKS, CONTRACT_CHECKS, nonceStoreContract } from '@sigil/store-contract';

interface Flaws {
  /** Always resolves this, storing nothing. */
  answer?: boolean;
  /** How a pair becomes a map key. */
  key?: (keyId: string, nonce: string) => string;
  /** Argument checks (default: the shared `checkNonceArguments`). */
  check?: (keyId: string, nonce: string, expiresAtMs: number) => void;
  /** Whether a stored pair still counts at `now`. */
  live?: (expiresAtMs: number, now: number) => boolean;
  /** Forgets every pair right away. */
  amnesia?: boolean;
  /** Yields between the lookup and the write (check-then-act race). */
  racy?: boolean;
  /** Answers false while another call is in flight. */
  busy?: boolean;
  /** Live pairs allowed per key id (nonce_store_full past it). */
  perKeyId?: number;
  /** Live pairs allowed in all (the flaw: one key id can use them all). */
  total?: number;
  /** When full, evicts the key id's oldest pair instead of refusing. */
  evict?: boolean;
  /** Refuses a full key id before looking for a replay. */
  fullFirst?: boolean;
}

const badExpiry = () => new SigilError('invalid_option', { detail: 'expiresAtMs must be a finite time in the future' });
/** Checks only the expiry: key ids and nonces go through as they are. */
const expiryOnly = (check: (ms: number) => void) => (_keyId: string, _nonce: string, ms: number) => check(ms);
const lenient = expiryOnly((ms) => {
  if (!Number.isFinite(ms) || ms <= Date.now()) throw badExpiry();
});
const full = () => new SigilError('nonce_store_full');

/** The smallest correct store, unless a flaw is switched on. */
class ReferenceStore implements NonceStore {
  readonly #seen = new Map<string, { keyId: string; until: number }>();
  #inFlight = 0;

  constructor(private readonly flaws: Flaws = {}) {}

  #liveOf(keyId: string | undefined, now: number): string[] {
    const live = this.flaws.live ?? ((until: number, at: number) => until > at);
    return [...this.#seen].filter(([, v]) => (keyId === undefined || v.keyId === keyId) && live(v.until, now)).map(([id]) => id);
  }

  #roomFor(keyId: string, now: number): void {
    const { perKeyId, total, evict } = this.flaws;
    const mine = this.#liveOf(keyId, now);
    if (perKeyId !== undefined && mine.length >= perKeyId) {
      if (!evict) throw full();
      this.#seen.delete(mine[0]!);
    }
    if (total !== undefined && this.#liveOf(undefined, now).length >= total) throw full();
  }

  async checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    const { answer, key = (k, n) => `${k}:${n}`, check = checkNonceArguments, live = (until, now) => until > now } = this.flaws;
    if (answer !== undefined) return answer;
    check(keyId, nonce, expiresAtMs);
    const id = key(keyId, nonce);
    const now = Date.now();
    if (this.flaws.fullFirst) this.#roomFor(keyId, now);
    const until = this.#seen.get(id)?.until;
    this.#inFlight++;
    try {
      if (this.flaws.racy || this.flaws.busy) await Promise.resolve();
      if (this.flaws.busy && this.#inFlight > 1) return false;
      if (until !== undefined && live(until, now)) return false;
      if (!this.flaws.fullFirst) this.#roomFor(keyId, now);
      if (!this.flaws.amnesia) this.#seen.set(id, { keyId, until: expiresAtMs });
      return true;
    } finally {
      this.#inFlight--;
    }
  }
}

const LIMIT = 4;
nonceStoreContract('reference store (contract self-test)', () => ({ store: new ReferenceStore() }), {
  perKeyIdCapacity: { limit: LIMIT, make: () => ({ store: new ReferenceStore({ perKeyId: LIMIT }) }) },
});

const BROKEN: ReadonlyArray<{ flaw: string; flaws: Flaws; fails: string }> = [
  { flaw: 'always answers false', flaws: { answer: false }, fails: 'stores a new pair and resolves true' },
  { flaw: 'remembers nothing', flaws: { amnesia: true }, fails: 'resolves false for every replay of a live pair' },
  { flaw: 'keys by nonce only', flaws: { key: (_, n) => n }, fails: 'keeps key ids independent for the same nonce' },
  { flaw: 'keys by key id only', flaws: { key: (k) => k }, fails: 'keeps nonces independent for the same key id' },
  { flaw: 'concatenates key id and nonce', flaws: { key: (k, n) => k + n }, fails: 'never confuses a key id ending in a nonce prefix with another pair' },
  {
    flaw: "rejects ':' in key ids",
    flaws: {
      key: (k, n) => {
        if (k.includes(':')) throw new TypeError('bad key id');
        return `${k}:${n}`;
      },
    },
    fails: "accepts key ids containing ':' and keeps them apart",
  },
  { flaw: 'folds nonces to lowercase (a case-insensitive collation)', flaws: { key: (k, n) => `${k}:${n.toLowerCase()}` }, fails: 'keeps nonces that differ only in letter case apart' },
  { flaw: 'folds key ids to lowercase', flaws: { key: (k, n) => `${k.toLowerCase()}:${n}` }, fails: 'keeps key ids that differ only in letter case apart' },
  {
    flaw: 'takes any nonce and ignores trailing spaces (a PAD SPACE collation)',
    flaws: { check: lenient, key: (k, n) => `${k}:${n.replace(/ +$/, '')}` },
    fails: 'never folds a padded or trimmed nonce into another',
  },
  {
    flaw: "takes any nonce and strips base64 '=' padding",
    flaws: { check: lenient, key: (k, n) => `${k}:${n.replace(/=+$/, '')}` },
    fails: 'never folds a padded or trimmed nonce into another',
  },
  {
    flaw: 'takes any nonce and trims leading whitespace',
    flaws: { check: lenient, key: (k, n) => `${k}:${n.trimStart()}` },
    fails: 'never folds a padded or trimmed nonce into another',
  },
  {
    flaw: 'takes any key id and trims it',
    flaws: { check: lenient, key: (k, n) => `${k.trim()}:${n}` },
    fails: 'never folds a padded or trimmed key id into another',
  },
  { flaw: 'truncates nonces to 64 characters', flaws: { key: (k, n) => `${k}:${n.slice(0, 64)}` }, fails: 'accepts a maximum-length key id and nonce' },
  { flaw: 'checks only the expiry', flaws: { check: lenient }, fails: 'rejects a malformed key id or nonce as invalid_option, naming it' },
  {
    flaw: 'throws a TypeError for a non-string (the old MemoryNonceStore)',
    flaws: {
      check: (k, n, ms) => {
        if (typeof k !== 'string' || typeof n !== 'string') throw new TypeError('keyId and nonce must be strings');
        checkNonceArguments(k, n, ms);
      },
    },
    fails: 'rejects a malformed key id or nonce as invalid_option, naming it',
  },
  { flaw: 'never forgets', flaws: { live: () => true }, fails: 'forgets a pair once expiresAtMs has passed' },
  { flaw: 'forgets 300 ms early', flaws: { live: (until, now) => now < until - 300 }, fails: 'does not forget a pair before expiresAtMs' },
  { flaw: 'checks then stores across an await', flaws: { racy: true }, fails: 'lets exactly one of 200 concurrent calls with one pair win' },
  { flaw: 'serves one call at a time', flaws: { busy: true }, fails: 'lets all of 200 concurrent calls with distinct pairs win' },
  {
    flaw: 'treats a past expiry as already expired',
    flaws: { check: expiryOnly((ms) => { if (!Number.isFinite(ms)) throw badExpiry(); }) },
    fails: 'rejects a past expiresAtMs as invalid_option and stores nothing',
  },
  {
    flaw: 'throws a plain RangeError',
    flaws: { check: expiryOnly((ms) => { if (!(ms > Date.now())) throw new RangeError('expiresAtMs must be in the future'); }) },
    fails: 'rejects a non-finite expiresAtMs as invalid_option',
  },
  {
    flaw: 'lets NaN and Infinity through',
    flaws: { check: expiryOnly((ms) => { if (ms <= Date.now()) throw badExpiry(); }) },
    fails: 'rejects a non-finite expiresAtMs as invalid_option',
  },
];

const BROKEN_CAPACITY: ReadonlyArray<{ flaw: string; flaws: Flaws; fails: string }> = [
  { flaw: 'shares one capacity among all key ids', flaws: { total: LIMIT }, fails: "one key id's flood leaves another key id working" },
  { flaw: "evicts the key id's oldest nonce when full", flaws: { perKeyId: LIMIT, evict: true }, fails: "one key id's flood leaves another key id working" },
  { flaw: 'refuses a full key id before looking for the replay', flaws: { perKeyId: LIMIT, fullFirst: true }, fails: 'a full key id still answers replays as replays' },
];

describe('each contract check catches the flaw it guards against', () => {
  for (const { flaw, flaws, fails } of BROKEN) {
    it(`"${fails}" fails for a store that ${flaw}`, async () => {
      const check = CONTRACT_CHECKS.find((c) => c.name === fails);
      expect(check, fails).toBeDefined();
      await expect(check!.run(new ReferenceStore(flaws))).rejects.toThrow();
    });
  }

  for (const { flaw, flaws, fails } of BROKEN_CAPACITY) {
    it(`"${fails}" fails for a store that ${flaw}`, async () => {
      const check = CAPACITY_CHECKS.find((c) => c.name === fails);
      expect(check, fails).toBeDefined();
      await expect(check!.run(new ReferenceStore(flaws), LIMIT)).rejects.toThrow();
    });
  }

  it('every check has a flaw that makes it fail', () => {
    expect(new Set(BROKEN.map((b) => b.fails))).toEqual(new Set(CONTRACT_CHECKS.map((c) => c.name)));
    expect(new Set(BROKEN_CAPACITY.map((b) => b.fails))).toEqual(new Set(CAPACITY_CHECKS.map((c) => c.name)));
  });
});
