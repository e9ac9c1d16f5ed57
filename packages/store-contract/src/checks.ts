// The NonceStore contract: every store (MemoryNonceStore, RedisNonceStore on
// one node or a Cluster, PostgresNonceStore, yours) runs these same checks,
// like undici's cache-store-test-utils.
//
// Each check is a plain async function that throws on failure, so the
// self-test (test/self-test.test.ts) can prove that every one of them fails
// against a store broken in the way it guards against.
//
// Decided here, for every store alike (`@sigil/verify/store` implements it):
// - a past (or present) expiresAtMs is a caller bug: the call rejects with
//   SigilError('invalid_option') naming `expiresAtMs`, and nothing is stored.
//   Treating it as "already expired" would answer true to every replay when
//   a caller passes seconds instead of milliseconds (or a fake clock meets
//   Redis's real one); rejecting fails closed (the verifier answers 503). A
//   verifier that may reach the store after the window closed (slow body)
//   checks its clock first and answers timestamp_out_of_window instead.
//   "Past" is judged by the store's clock (Date.now() unless it takes one).
// - a non-finite expiresAtMs (NaN, Infinity) is rejected the same way.
// - a key id outside the Sigil key id syntax, or a nonce that is not 1 to 128
//   base64url characters, rejects with invalid_option naming the argument.
// - two pairs that differ in any character are two pairs: no case folding,
//   no trimming, no padding rules (a database collation must not make
//   'abc' and 'ABC', or 'abc' and 'abc ', one nonce).
// - expiry runs on real time (no fake timers: Redis has its own clock).
import { generateNonce, isSigilError, LIMITS } from '@sigil/core';
import type { NonceStore } from '@sigil/verify';
import { expect } from 'vitest';

/** One contract check: throws (an assertion error) when the store breaks it. */
export interface ContractCheck {
  readonly name: string;
  run(store: NonceStore): Promise<void>;
}

const LIVE_MS = 60_000;
const future = (ms = LIVE_MS): number => Date.now() + ms;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const nonceOfLength = (length: number): string => generateNonce().repeat(Math.ceil(length / 22)).slice(0, length);

/** A nonce with letters whose lowercase and uppercase forms are other nonces. */
function caseSensitiveNonce(): string {
  for (;;) {
    const nonce = generateNonce();
    if (nonce !== nonce.toLowerCase() && nonce !== nonce.toUpperCase() && nonce.toLowerCase() !== nonce.toUpperCase()) return nonce;
  }
}

async function outcome(call: Promise<boolean>): Promise<boolean | Error> {
  try {
    return await call;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Asserts a rejection with SigilError('invalid_option') naming `argument` and not echoing `value`. */
async function expectInvalid(call: Promise<boolean>, argument: RegExp, value: string, label: string): Promise<void> {
  const result = await outcome(call);
  expect(result instanceof Error && isSigilError(result, 'invalid_option'), `${label}: ${String(result)}`).toBe(true);
  const message = (result as Error).message;
  expect(message, label).toMatch(argument);
  if (value.trim().length >= 3) expect(message, label).not.toContain(value);
}

/**
 * `variant` is not the nonce (or key id) `base`: storing one never makes the
 * other a replay, in either order. The store may refuse `variant` outright
 * with invalid_option (outside the syntax), never answer false for it.
 */
async function expectApart(store: NonceStore, pairs: { base: [string, string]; variant: [string, string] }, label: string): Promise<void> {
  const { base, variant } = pairs;
  const at = future();
  expect(await store.checkAndStore(base[0], base[1], at), `${label}: base`).toBe(true);
  const second = await outcome(store.checkAndStore(variant[0], variant[1], at));
  if (second instanceof Error) {
    expect(isSigilError(second, 'invalid_option'), `${label}: ${String(second)}`).toBe(true);
    return;
  }
  expect(second, `${label}: stored after its base, answered as a replay of it`).toBe(true);
  // The other order, on a fresh pair: the variant first, then the base.
  const fresh = generateNonce();
  const swap = (pair: [string, string]): [string, string] => [pair[0], pair[1].split(base[1]).join(fresh)];
  const [vKey, vNonce] = swap(variant);
  const [bKey, bNonce] = swap(base);
  expect(await store.checkAndStore(vKey, vNonce, at), `${label}: variant first`).toBe(true);
  expect(await store.checkAndStore(bKey, bNonce, at), `${label}: stored after its variant, answered as a replay of it`).toBe(true);
}

/** Padding, trimming and separators a collation or a careless key may drop. */
const PADDINGS = ['=', '==', ' ', '\t', '\0', '\n', '%3D'] as const;

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
    name: 'keeps nonces that differ only in letter case apart',
    async run(store) {
      // A case-insensitive collation (MySQL's default, citext, ILIKE) folds these into one.
      const nonce = caseSensitiveNonce();
      const forms = [nonce, nonce.toLowerCase(), nonce.toUpperCase()];
      for (const form of forms) expect(await store.checkAndStore('client-1', form, future()), form).toBe(true);
      for (const form of forms) expect(await store.checkAndStore('client-1', form, future()), form).toBe(false);
    },
  },
  {
    name: 'keeps key ids that differ only in letter case apart',
    async run(store) {
      const nonce = generateNonce();
      const keyIds = ['Client-A', 'client-a', 'CLIENT-A'];
      for (const keyId of keyIds) expect(await store.checkAndStore(keyId, nonce, future()), keyId).toBe(true);
      for (const keyId of keyIds) expect(await store.checkAndStore(keyId, nonce, future()), keyId).toBe(false);
    },
  },
  {
    name: 'never folds a padded or trimmed nonce into another',
    async run(store) {
      // A PAD SPACE collation or a char(n) column ignores trailing spaces; a
      // decoder may drop '=' padding. Either would turn a fresh nonce into a replay.
      for (const pad of PADDINGS) {
        const nonce = generateNonce();
        await expectApart(store, { base: ['client-1', nonce], variant: ['client-1', `${nonce}${pad}`] }, `nonce + ${JSON.stringify(pad)}`);
        const other = generateNonce();
        await expectApart(store, { base: ['client-1', other], variant: ['client-1', `${pad}${other}`] }, `${JSON.stringify(pad)} + nonce`);
      }
    },
  },
  {
    name: 'never folds a padded or trimmed key id into another',
    async run(store) {
      for (const pad of PADDINGS) {
        const nonce = generateNonce();
        await expectApart(store, { base: ['client-1', nonce], variant: [`client-1${pad}`, nonce] }, `key id + ${JSON.stringify(pad)}`);
      }
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
    name: 'rejects a malformed key id or nonce as invalid_option, naming it',
    async run(store) {
      const nonce = generateNonce();
      const badKeyIds: unknown[] = ['', 'k'.repeat(LIMITS.keyId + 1), 'client 1', 'client\n1', 'clïent', 7, undefined];
      for (const keyId of badKeyIds) {
        await expectInvalid(store.checkAndStore(keyId as string, nonce, future()), /keyId/, String(keyId), `keyId ${JSON.stringify(keyId)}`);
      }
      const badNonces: unknown[] = ['', nonceOfLength(LIMITS.nonceMax + 1), `${nonce}:x`, `${nonce}=`, `${nonce}\n`, 'a+b/c', 7, null];
      for (const bad of badNonces) {
        await expectInvalid(store.checkAndStore('client-1', bad as string, future()), /nonce/, String(bad), `nonce ${JSON.stringify(bad)}`);
      }
      // Nothing was stored along the way.
      expect(await store.checkAndStore('client-1', nonce, future())).toBe(true);
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
        await expectInvalid(store.checkAndStore('client-1', nonce, past), /expiresAtMs/, nonce, String(past));
      }
      expect(await store.checkAndStore('client-1', nonce, future())).toBe(true);
    },
  },
  {
    name: 'rejects a non-finite expiresAtMs as invalid_option',
    async run(store) {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
        const nonce = generateNonce();
        await expectInvalid(store.checkAndStore('client-1', nonce, bad), /expiresAtMs/, nonce, String(bad));
      }
    },
  },
];
