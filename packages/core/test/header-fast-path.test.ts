// parseSignatureHeader has a one-regex fast path for headers in the order
// serializeParams writes them, and a general path for any other order. The
// two must agree exactly: same result for every valid header, and the same
// error code for every invalid one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSigilError, parseSignatureHeader } from '@sigil/core';

const token = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const params = fc.record({
  v: fc.constantFrom('1', '2', '01'),
  alg: fc.constantFrom('hmac-sha256', 'hmac-sha512', 'hmac-md5'),
  kid: fc.stringMatching(/^[A-Za-z0-9._~:-]{0,130}$/),
  ts: fc.oneof(fc.nat().map(String), fc.constantFrom('007', '', '1234567890123')),
  nonce: fc.stringMatching(/^[A-Za-z0-9_=-]{20,24}$/),
  h: fc.oneof(
    fc.uniqueArray(token, { minLength: 1, maxLength: 4 }).map((names) => ['host', ...names].sort().join(',')),
    fc.array(token, { minLength: 0, maxLength: 4 }).map((names) => names.join(',')),
  ),
  mac: fc.stringMatching(/^[A-Za-z0-9_-]{40,44}$/),
});
const ORDER = ['v', 'alg', 'kid', 'ts', 'nonce', 'h', 'mac'] as const;

function outcome(value: string): unknown {
  try {
    return parseSignatureHeader(value);
  } catch (error) {
    if (isSigilError(error)) return error.code;
    throw error;
  }
}

describe('parseSignatureHeader fast path', () => {
  it('parses a header in canonical order exactly as the same header in any other order', () => {
    fc.assert(
      fc.property(params, fc.shuffledSubarray([...ORDER], { minLength: 7, maxLength: 7 }), (p, order) => {
        const canonical = ORDER.map((name) => `${name}=${p[name]}`).join(';');
        const shuffled = order.map((name) => `${name}=${p[name]}`).join(';');
        fc.pre(shuffled !== canonical);
        expect(outcome(canonical)).toEqual(outcome(shuffled));
      }),
      { numRuns: 3000, seed: 9421 },
    );
  });
});

describe('parseSignatureHeader fast path at the length limits', () => {
  // The fast path's regex repeats without bounds and checks lengths after the
  // match (and the h list through the parsed-list check): at and just past
  // every limit, the canonical order must parse as the general path does.
  const base = {
    v: '1',
    alg: 'hmac-sha256',
    kid: 'client-1',
    ts: '1763460000',
    nonce: 'A'.repeat(22),
    h: 'content-type,host',
    mac: 'B'.repeat(43),
  };
  const names = (n: number, length = 8) => Array.from({ length: n }, (_, i) => `h${String(i).padStart(length - 1, '0')}`).sort();
  const cases: Array<[string, Partial<typeof base>]> = [
    ['kid of 128', { kid: 'k'.repeat(128) }],
    ['kid of 129', { kid: 'k'.repeat(129) }],
    ['ts of 12 digits', { ts: '9'.repeat(12) }],
    ['ts of 13 digits', { ts: '1'.repeat(13) }],
    ['ts with a leading zero', { ts: '0123' }],
    ['nonce of 21', { nonce: 'A'.repeat(21) }],
    ['nonce of 128', { nonce: 'A'.repeat(128) }],
    ['nonce of 129', { nonce: 'A'.repeat(129) }],
    ['mac of 128', { mac: 'B'.repeat(128) }],
    ['mac of 129', { mac: 'B'.repeat(129) }],
    ['h of 32 names', { h: [...names(31), 'host'].sort().join(',') }],
    ['h of 33 names', { h: [...names(32), 'host'].sort().join(',') }],
    ['h name of 64', { h: ['host', 'x'.repeat(64)].join(',') }],
    ['h name of 65', { h: ['host', 'x'.repeat(65)].join(',') }],
    ['h with an empty name', { h: 'content-type,,host' }],
    ['h unsorted', { h: 'host,content-type' }],
    ['h listing sigil-signature', { h: 'host,sigil-signature' }],
  ];
  it.each(cases)('%s', (_name, change) => {
    const p = { ...base, ...change };
    const canonical = ORDER.map((name) => `${name}=${p[name]}`).join(';');
    const reversed = [...ORDER].reverse().map((name) => `${name}=${p[name]}`).join(';');
    expect(outcome(canonical)).toEqual(outcome(reversed));
  });

  it('accepts exactly the limits (a control for the cases above)', () => {
    const at = { ...base, kid: 'k'.repeat(128), ts: '9'.repeat(12), nonce: 'A'.repeat(128), mac: 'B'.repeat(128) };
    expect(outcome(ORDER.map((name) => `${name}=${at[name]}`).join(';'))).toMatchObject({ keyId: at.kid, nonce: at.nonce });
    const over = { ...base, nonce: 'A'.repeat(129) };
    expect(outcome(ORDER.map((name) => `${name}=${over[name]}`).join(';'))).toBe('signature_header_malformed');
  });
});
