// The order of checks is normative (SPEC.md section 4): a request that fails
// several steps reports the earliest, the body is read only after steps 1-6
// (and read for an unknown key id too, which is reported after steps 8 and 9,
// as a bad MAC would be), and nothing is stored before the MAC is valid.
import { generateNonce, type HeaderList, type SigilErrorCode } from '@sigil/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVerifier, MemoryNonceStore, type VerifierRequest } from '../src/index.js';
import { CountingStore, header, lazyBody, signed, withHeader } from './helpers/requests.js';
import { breakMac, KEY, KEY_ID, nowSeconds } from './helpers/sign.js';

const STEP_CODES: Record<number, SigilErrorCode> = {
  1: 'insecure_transport',
  2: 'signature_in_query',
  3: 'signature_missing',
  4: 'unsupported_version',
  5: 'timestamp_out_of_window',
  6: 'header_not_signed',
  7: 'key_unknown',
  8: 'body_too_large',
  9: 'signed_header_missing',
  10: 'signature_invalid',
  11: 'key_scope_denied',
  12: 'nonce_replayed',
};

/** Precedence of the steps: an unknown key id (7) is decided at step 10, after the body and canonical string. */
const PRECEDENCE = [1, 2, 3, 4, 5, 6, 8, 9, 7, 10, 11, 12];

const without = (request: VerifierRequest, name: string): VerifierRequest => ({
  ...request,
  headers: (request.headers as HeaderList).filter(([n]) => n !== name),
});

/** A request and verifier breaking exactly the steps in `faults`. */
async function scenario(faults: ReadonlySet<number>) {
  const store = new CountingStore();
  const verifier = createVerifier({
    keys: { [KEY_ID]: { key: KEY, ...(faults.has(11) ? { scope: { methods: ['GET'] } } : {}) } },
    nonceStore: store,
    requiredHeaders: faults.has(6) ? ['x-required'] : [],
    maxBodyBytes: faults.has(8) ? 4 : 1024,
  });
  const nonce = generateNonce();
  let request = signed(
    {
      target: faults.has(2) ? '/x?sigil-signature=1' : '/x',
      body: '{"qty":1}',
      options: { nonce, ...(faults.has(5) ? { timestamp: nowSeconds() - 1000 } : {}), ...(faults.has(7) ? { keyId: 'nobody' } : {}) },
    },
    faults.has(1) ? { remoteAddress: '203.0.113.1' } : {},
  );
  let sig = header(request, 'sigil-signature');
  if (faults.has(10)) sig = breakMac(sig);
  if (faults.has(4)) sig = sig.replace('v=1', 'v=2');
  request = faults.has(3) ? without(request, 'sigil-signature') : withHeader(request, 'sigil-signature', sig);
  if (faults.has(9)) request = without(request, 'content-type');
  const body = lazyBody(new TextEncoder().encode('{"qty":1}'));
  if (faults.has(12)) await store.inner.checkAndStore(KEY_ID, nonce, Date.now() + 60_000);
  return { verifier, store, body, request: { ...request, body: body.read } };
}

describe('order of checks', () => {
  it('reports the earliest failing step (an unknown key id after the body and canonical string), reads the body after step 6 only and stores after step 11 only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), async (list) => {
        const faults = new Set(list);
        const { verifier, store, body, request } = await scenario(faults);
        const result = await verifier.verify(request);
        const first = PRECEDENCE.find((step) => faults.has(step));
        if (first === undefined) expect(result.ok).toBe(true);
        else expect(result).toMatchObject({ ok: false, code: STEP_CODES[first] });
        const earliest = Math.min(...list, 13);
        expect(body.calls.length, 'body reads').toBe(earliest >= 7 ? 1 : 0);
        expect(store.calls, 'store calls').toBe(earliest >= 12 ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });

  it('requests with a bad MAC can neither burn a nonce nor fill the store', async () => {
    const store = new MemoryNonceStore({ maxEntries: 5 });
    const verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: store });
    const forged = (nonce: string) => {
      const request = signed({ options: { nonce } });
      return withHeader(request, 'sigil-signature', breakMac(header(request, 'sigil-signature')));
    };
    // 200 forgeries with distinct nonces: a store of 5 stays empty.
    for (let i = 0; i < 200; i++) expect(await verifier.verify(forged(generateNonce()))).toMatchObject({ code: 'signature_invalid' });
    expect(store.size).toBe(0);
    // A forgery carrying the nonce of a genuine request in flight cannot burn it.
    const nonce = generateNonce();
    expect(await verifier.verify(forged(nonce))).toMatchObject({ code: 'signature_invalid' });
    expect((await verifier.verify(signed({ options: { nonce } }))).ok).toBe(true);
    expect(store.size).toBe(1);
  });
});
