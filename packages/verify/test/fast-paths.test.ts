// The pipeline skips awaits for a static key map, a body in bytes and the
// memory store (lib/checks.ts). Each fast path must give the same results as
// the general one, and must never bypass code the application put in place:
// a resolver, a body reader, a subclass's or a spy's checkAndStore.
import { generateNonce } from '@sigil/core';
import { describe, expect, it, vi } from 'vitest';
import { createVerifier, MemoryNonceStore, type VerificationResult, type VerifierRequest } from '../src/index.js';
import { lazyBody, signed } from './helpers/requests.js';
import { KEY, KEY_ID } from './helpers/sign.js';

/** The result without its body, which differs by identity only. */
function shape(result: VerificationResult): unknown {
  if (!result.ok) return result;
  const { body, ...rest } = result;
  return { ...rest, body: [...body] };
}

describe('fast paths give the general path results', () => {
  it('static keys and bytes, or a resolver promise and a body reader, with a memory store or another store', async () => {
    const nonce = generateNonce();
    const request = signed({ options: { nonce } });
    const bytes = request.body as Uint8Array;
    const fast = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore() });
    const otherStore = new MemoryNonceStore();
    const slow = createVerifier({
      keys: async (id) => (id === KEY_ID ? KEY : null),
      nonceStore: { checkAndStore: (k, n, e) => otherStore.checkAndStore(k, n, e) },
    });
    const lazy: VerifierRequest = { ...request, body: lazyBody(bytes).read };
    const first = [await fast.verify(request), await slow.verify(lazy)];
    expect(first[0]!.ok).toBe(true);
    expect(shape(first[0]!)).toEqual(shape(first[1]!));
    const replay = [await fast.verify(request), await slow.verify(lazy)];
    expect(replay[0]).toMatchObject({ ok: false, code: 'nonce_replayed' });
    expect(replay[1]).toEqual(replay[0]);
  });
});

describe('the memory store fast path never bypasses application code', () => {
  it("calls a subclass's checkAndStore", async () => {
    const seen: string[] = [];
    class Audited extends MemoryNonceStore {
      override async checkAndStore(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
        seen.push(keyId);
        return super.checkAndStore(keyId, nonce, expiresAtMs);
      }
    }
    const verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new Audited() });
    expect((await verifier.verify(signed())).ok).toBe(true);
    expect(seen).toEqual([KEY_ID]);
  });

  it('calls a spy put on the instance, and fails closed when it rejects', async () => {
    const store = new MemoryNonceStore();
    const verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: store });
    const spy = vi.spyOn(store, 'checkAndStore').mockRejectedValue(new Error('down'));
    expect(await verifier.verify(signed())).toMatchObject({ ok: false, code: 'nonce_store_unavailable', status: 503 });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect((await verifier.verify(signed())).ok).toBe(true);
  });

  it('maps a full memory store to nonce_store_full on the direct path too', async () => {
    const verifier = createVerifier({ keys: { [KEY_ID]: KEY }, nonceStore: new MemoryNonceStore({ maxEntries: 1 }) });
    expect((await verifier.verify(signed())).ok).toBe(true);
    expect(await verifier.verify(signed())).toMatchObject({ ok: false, code: 'nonce_store_full', status: 503 });
  });
});

describe('coverage is remembered per policy and per signed-header list', () => {
  it('a list one verifier accepted is still refused by a verifier that requires more, and vice versa', async () => {
    const lenient = createVerifier({ keys: { [KEY_ID]: KEY }, replay: false });
    const strict = createVerifier({ keys: { [KEY_ID]: KEY }, replay: false, requiredHeaders: ['x-tenant'] });
    // Signed: host and content-type only (the same h value every time, so core hands out one list).
    const plain = () => signed();
    const tenant = () => signed({ headers: { 'x-tenant': 'acme' } });
    for (let i = 0; i < 3; i++) {
      expect((await lenient.verify(plain())).ok).toBe(true);
      expect(await strict.verify(plain())).toMatchObject({ ok: false, code: 'header_not_signed' });
      expect((await strict.verify(tenant())).ok).toBe(true);
      expect((await lenient.verify(tenant())).ok).toBe(true);
    }
  });
});
