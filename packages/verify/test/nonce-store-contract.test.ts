// Tests the contract itself: a minimal correct store passes every check, and
// every check fails against a store with the one flaw it guards against.
import { SigilError } from '@sigil/core';
import { describe, expect, it } from 'vitest';
import type { NonceStore } from '../src/nonce-store.js';
import { CONTRACT_CHECKS, nonceStoreContract } from './nonce-store-contract.js';

interface Flaws {
  /** Always resolves this, storing nothing. */
  answer?: boolean;
  /** How a pair becomes a map key. */
  key?: (keyId: string, nonce: string) => string;
  /** Argument check on expiresAtMs. */
  check?: (expiresAtMs: number) => void;
  /** Whether a stored pair still counts at `now`. */
  live?: (expiresAtMs: number, now: number) => boolean;
  /** Forgets every pair right away. */
  amnesia?: boolean;
  /** Yields between the lookup and the write (check-then-act race). */
  racy?: boolean;
  /** Answers false while another call is in flight. */
  busy?: boolean;
}

const badExpiry = () => new SigilError('invalid_option', { detail: 'expiresAtMs must be a finite time in the future' });
const checkExpiry = (expiresAtMs: number): void => {
  if (!Number.isFinite(expiresAtMs) || expiresAtMs <= Date.now()) throw badExpiry();
};

/** The smallest correct store, unless a flaw is switched on. */
class ReferenceStore implements NonceStore {
  readonly #seen = new Map<string, number>();
  #inFlight = 0;

  constructor(private readonly flaws: Flaws = {}) {}

  async checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    const { answer, key = (k, n) => `${k}:${n}`, check = checkExpiry, live = (until, now) => until > now } = this.flaws;
    if (answer !== undefined) return answer;
    check(expiresAtMs);
    const id = key(keyId, nonce);
    const until = this.#seen.get(id);
    this.#inFlight++;
    try {
      if (this.flaws.racy || this.flaws.busy) await Promise.resolve();
      if (this.flaws.busy && this.#inFlight > 1) return false;
      if (until !== undefined && live(until, Date.now())) return false;
      if (!this.flaws.amnesia) this.#seen.set(id, expiresAtMs);
      return true;
    } finally {
      this.#inFlight--;
    }
  }
}

nonceStoreContract('reference store (contract self-test)', () => ({ store: new ReferenceStore() }));

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
  { flaw: 'truncates nonces to 64 characters', flaws: { key: (k, n) => `${k}:${n.slice(0, 64)}` }, fails: 'accepts a maximum-length key id and nonce' },
  { flaw: 'never forgets', flaws: { live: () => true }, fails: 'forgets a pair once expiresAtMs has passed' },
  { flaw: 'forgets 300 ms early', flaws: { live: (until, now) => now < until - 300 }, fails: 'does not forget a pair before expiresAtMs' },
  { flaw: 'checks then stores across an await', flaws: { racy: true }, fails: 'lets exactly one of 200 concurrent calls with one pair win' },
  { flaw: 'serves one call at a time', flaws: { busy: true }, fails: 'lets all of 200 concurrent calls with distinct pairs win' },
  {
    flaw: 'treats a past expiry as already expired',
    flaws: { check: (ms) => { if (!Number.isFinite(ms)) throw badExpiry(); } },
    fails: 'rejects a past expiresAtMs as invalid_option and stores nothing',
  },
  {
    flaw: 'throws a plain RangeError',
    flaws: { check: (ms) => { if (!(ms > Date.now())) throw new RangeError('expiresAtMs must be in the future'); } },
    fails: 'rejects a non-finite expiresAtMs as invalid_option',
  },
  {
    flaw: 'lets NaN and Infinity through',
    flaws: { check: (ms) => { if (ms <= Date.now()) throw badExpiry(); } },
    fails: 'rejects a non-finite expiresAtMs as invalid_option',
  },
];

describe('each contract check catches the flaw it guards against', () => {
  for (const { flaw, flaws, fails } of BROKEN) {
    it(`"${fails}" fails for a store that ${flaw}`, async () => {
      const check = CONTRACT_CHECKS.find((c) => c.name === fails);
      expect(check, fails).toBeDefined();
      await expect(check!.run(new ReferenceStore(flaws))).rejects.toThrow();
    });
  }

  it('every check has a flaw that makes it fail', () => {
    expect(new Set(BROKEN.map((b) => b.fails))).toEqual(new Set(CONTRACT_CHECKS.map((c) => c.name)));
  });
});
