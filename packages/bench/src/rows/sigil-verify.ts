// Sigil verify: the full @sigil/verify pipeline (transport, parse, window,
// required headers, key, body digest, canonical string, MAC, nonce store)
// with a MemoryNonceStore. Every timed verify is a distinct valid request:
// a batch's requests are signed, each with a fresh nonce, before its timer
// starts, and an op that does not verify stops the bench.
import { bodyDigest, importKey, signRequest, type SigilRequest } from '@sigil/core';
import { createVerifier, MemoryNonceStore, type NonceStore, type VerifierRequest } from '@sigil/verify';
import type { Row } from '../harness.js';
import { KEY_ID, SECRET, tamperBody, type Scenario } from '../scenarios.js';
import { sigilRequest } from './sigil-sign.js';

/** Room for every nonce one scenario process stores (they live for the whole window). */
const STORE_ENTRIES = 4_000_000;

/**
 * A flat copy of a string. A header built by concatenation is a rope in V8,
 * and the first read of a rope flattens it; header values a server receives
 * are flat, so the timed verify must not pay for that flattening.
 */
const flat = (text: string): string => Buffer.from(text, 'latin1').toString('latin1');

/**
 * Signs `n` distinct requests (fresh nonce each) as a client would send
 * them, signature header appended to the field lines.
 *
 * @example
 * const requests = presign(scenario('typical'), 1000);
 */
export function presign(s: Scenario, n: number, request: SigilRequest = sigilRequest(s)): VerifierRequest[] {
  const key = importKey(SECRET);
  // The body was hashed once; signing n copies of it again would only slow the setup.
  const hashed = { ...request, bodySha256: bodyDigest(s.body) };
  const timestamp = Math.floor(Date.now() / 1000);
  const out: VerifierRequest[] = [];
  for (let i = 0; i < n; i++) {
    const { header } = signRequest(hashed, key, { keyId: KEY_ID, timestamp, headers: s.signed });
    out.push({ method: s.method, target: s.target, headers: [...s.headers, ['sigil-signature', flat(header)]], body: s.body, secure: true });
  }
  return out;
}

/**
 * The verifier every measurement uses for a scenario: one key, a memory
 * store, the scenario's headers required, a body cap that fits the body.
 *
 * @example
 * const verifier = benchVerifier(scenario('typical'));
 */
export function benchVerifier(s: Scenario, store: NonceStore = new MemoryNonceStore({ maxEntries: STORE_ENTRIES, maxEntriesPerKey: STORE_ENTRIES })) {
  return createVerifier({
    keys: { [KEY_ID]: importKey(SECRET) },
    nonceStore: store,
    requiredHeaders: s.signed,
    maxBodyBytes: Math.max(s.body.length, 1 << 20),
  });
}

/**
 * The Sigil verify row.
 *
 * @example
 * const row = sigilVerifyRow(scenario('typical'));
 */
export function sigilVerifyRow(s: Scenario): Row {
  const verifier = benchVerifier(s);
  let queue: VerifierRequest[] = [];
  let next = 0;
  return {
    name: 'Sigil verify',
    group: 'sigil',
    note: 'createVerifier().verify, MemoryNonceStore, distinct pre-signed requests',
    async: true,
    async check() {
      const [good] = presign(s, 1);
      const first = await verifier.verify(good!);
      if (!first.ok) throw new Error(`Sigil verify: a fresh signature did not verify (${first.code})`);
      const replay = await verifier.verify(good!);
      if (replay.ok || replay.code !== 'nonce_replayed') throw new Error('Sigil verify: a replay was not rejected');
      const [signed] = presign(s, 1);
      const tampered: VerifierRequest[] = [
        { ...signed!, body: tamperBody(s.body) },
        { ...signed!, target: `${s.target}${s.query ? '&' : '?'}admin=1` },
        { ...signed!, headers: (signed!.headers as Array<[string, string]>).map(([n, v]) => [n, n === 'host' ? 'evil.example.com' : v]) },
      ];
      for (const t of tampered) {
        const bad = await verifier.verify(t);
        if (bad.ok || bad.code !== 'signature_invalid') throw new Error('Sigil verify: a tampered request was not rejected');
      }
    },
    before(n) {
      queue = presign(s, n);
      next = 0;
    },
    async op() {
      const result = await verifier.verify(queue[next++]!);
      if (!result.ok) throw new Error(`Sigil verify: a valid request was rejected (${result.code})`);
    },
  };
}
