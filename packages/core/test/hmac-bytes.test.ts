// The bytes-in MAC (CryptoBackend.prepareBytesMac) gives the same bytes on
// both backends for every byte string, non-ASCII and non-UTF-8 included, and
// equals node:crypto's createHmac over those bytes. The string MAC does not
// (native writes latin1, portable UTF-8): that difference is pinned too, so
// nobody MACs webhook bodies through it.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backends, hexEncode, type Algorithm } from '@sigil/core';

const native = backends.native!;
const portable = backends.portable;
const HASH = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' } as const;
const ALGS: Algorithm[] = ['hmac-sha256', 'hmac-sha512'];

const key = fc.uint8Array({ minLength: 1, maxLength: 200 });
// Arbitrary bytes (0x80-0xff alone is not UTF-8), UTF-8 of any string, and
// bodies long enough to outgrow the native backend's first buffer.
const message = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 100 }).map((s) => new TextEncoder().encode(s)),
  fc.integer({ min: 1000, max: 4000 }).map((n) => new Uint8Array(n).map((_, i) => (i * 131) & 0xff)),
);

describe('bytes-in HMAC', () => {
  it.each(ALGS)('%s: native and portable agree with createHmac over arbitrary bytes and keys', (algorithm) => {
    fc.assert(
      fc.property(key, fc.array(message, { minLength: 1, maxLength: 4 }), (k, messages) => {
        const a = native.prepareBytesMac(algorithm, k);
        const b = portable.prepareBytesMac(algorithm, k);
        for (const m of messages) {
          const expected = hexEncode(createHmac(HASH[algorithm], k).update(m).digest());
          expect(hexEncode(a(m))).toBe(expected);
          expect(hexEncode(b(m))).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('does not change a caller\'s message or key bytes', () => {
    const k = new Uint8Array([1, 2, 3]);
    const m = new Uint8Array([0xff, 0x00, 0xe9]);
    native.prepareBytesMac('hmac-sha256', k)(m);
    portable.prepareBytesMac('hmac-sha256', k)(m);
    expect([...k]).toEqual([1, 2, 3]);
    expect([...m]).toEqual([0xff, 0x00, 0xe9]);
  });

  it('the string MAC differs between backends on non-ASCII text, the bytes MAC does not', () => {
    const k = new Uint8Array(32).fill(7);
    const text = 'caf\u00e9';
    expect(hexEncode(native.prepareMac('hmac-sha256', k)(text))).not.toBe(hexEncode(portable.prepareMac('hmac-sha256', k)(text)));
    const bytes = new TextEncoder().encode(text);
    expect(hexEncode(native.prepareBytesMac('hmac-sha256', k)(bytes))).toBe(hexEncode(portable.prepareBytesMac('hmac-sha256', k)(bytes)));
  });
});
