// The native backend computes HMAC as RFC 2104 over node:crypto's one-shot
// hash (crypto.ts, hashHmac), not with createHmac. It must give createHmac's
// bytes for every key length Sigil accepts (shorter than, equal to and longer
// than the hash's block) and every message length, including messages longer
// than the buffer it starts with and short ones after those.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { backends, hexEncode, MAX_KEY_BYTES, MIN_KEY_BYTES, type Algorithm } from '@sigil/core';

const native = backends.native!;
const HASH = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' } as const;
const ALGS: Algorithm[] = ['hmac-sha256', 'hmac-sha512'];

const reference = (algorithm: Algorithm, key: Uint8Array, message: string) =>
  createHmac(HASH[algorithm], key).update(message, 'latin1').digest();

// ASCII, as canonical strings are; some long enough to outgrow the first buffer.
const message = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
  fc.integer({ min: 900, max: 5000 }).map((n) => 'x\n'.repeat(n)),
);

describe('native HMAC (RFC 2104 over crypto.hash)', () => {
  it('runs on this Node', () => {
    expect(native.name).toBe('node');
  });

  it.each(ALGS)('%s: bytes and base64url equal createHmac for any key and message sequence', (algorithm) => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: MIN_KEY_BYTES, maxLength: MAX_KEY_BYTES }),
        fc.array(message, { minLength: 1, maxLength: 4 }),
        (key, messages) => {
          const bytes = native.prepareMac(algorithm, key);
          const text = native.prepareMacBase64url(algorithm, key);
          // One prepared MAC over several messages: the buffer it reuses holds no leftovers.
          for (const m of messages) {
            const expected = reference(algorithm, key, m);
            expect(hexEncode(bytes(m))).toBe(expected.toString('hex'));
            expect(text(m)).toBe(expected.toString('base64url'));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it.each(ALGS)('%s: keys at the block size and one byte either side', (algorithm) => {
    const block = algorithm === 'hmac-sha256' ? 64 : 128;
    for (const length of [block - 1, block, block + 1]) {
      const key = new Uint8Array(length).map((_, i) => (i * 7 + 3) & 0xff);
      expect(hexEncode(native.prepareMac(algorithm, key)('sigil-v1\nmessage'))).toBe(reference(algorithm, key, 'sigil-v1\nmessage').toString('hex'));
    }
  });

  it('does not change the key bytes it was given', () => {
    const key = new Uint8Array(200).fill(0xaa);
    native.prepareMac('hmac-sha256', key)('m');
    expect(key.every((b) => b === 0xaa)).toBe(true);
  });
});

// Issue 15, broken item 1: workerd's nodejs_compat Buffer has latin1Write, but
// (undocumented, like Node's) it requires the length Node's leaves optional,
// and throws RangeError without it: every verify answered 500. The native
// backend must reach Buffer only through documented calls. Here Node's own
// latin1Write behaves as workerd's does; documented write() always passes the
// length, so only an undocumented call fails.
describe("the native backend on a Buffer like workerd's (nodejs_compat)", () => {
  type Proto = { latin1Write(this: Buffer, text: string, offset?: number, length?: number): number };
  it('computes every MAC with documented Buffer calls only', async () => {
    const proto = Buffer.prototype as unknown as Proto;
    const original = proto.latin1Write;
    proto.latin1Write = function (text, offset, length) {
      if (length === undefined) throw new RangeError('The value of "length" is out of range.');
      return original.call(this, text, offset, length);
    };
    try {
      vi.resetModules();
      const { backends: fresh } = await import('../src/crypto.js');
      const key = new Uint8Array(32).fill(7);
      for (const algorithm of ALGS) {
        expect(hexEncode(fresh.native!.prepareMac(algorithm, key)('sigil-v1\nm'))).toBe(reference(algorithm, key, 'sigil-v1\nm').toString('hex'));
        expect(fresh.native!.prepareMacBase64url(algorithm, key)('x\n'.repeat(2000))).toBe(reference(algorithm, key, 'x\n'.repeat(2000)).toString('base64url'));
      }
    } finally {
      proto.latin1Write = original;
    }
  });
});

describe('choosing the backend at load', () => {
  type Builtin = (id: string) => unknown;
  async function loadWith(patch: (crypto: Record<string, unknown>) => Record<string, unknown>) {
    const proc = process as unknown as { getBuiltinModule: Builtin };
    const original = proc.getBuiltinModule;
    proc.getBuiltinModule = (id) => (id === 'node:crypto' ? patch({ ...(original(id) as Record<string, unknown>) }) : original(id));
    try {
      vi.resetModules();
      return await import('../src/crypto.js');
    } finally {
      proc.getBuiltinModule = original;
    }
  }

  it('a node:crypto whose hash gives wrong bytes is not used: the portable backend is', async () => {
    const { backend: chosen, backends: both } = await loadWith((c) => ({ ...c, hash: () => 'wrong' }));
    expect(chosen.name).toBe('noble');
    expect(both.native).toBeUndefined();
  });

  it('a node:crypto that throws is not used: the portable backend is', async () => {
    const { backend: chosen } = await loadWith((c) => ({ ...c, hash: () => { throw new RangeError('emulation gap'); } }));
    expect(chosen.name).toBe('noble');
  });

  it('the real node:crypto passes and is chosen', async () => {
    const { backend: chosen } = await loadWith((c) => c);
    expect(chosen.name).toBe('node');
  });
});
