// fast-check arbitraries for requests and signature parameters within the
// character sets of SPEC.md sections 2 and 3.3 (valid inputs), plus the
// request shape core reads.
import fc from 'fast-check';
import type { Algorithm, SigilRequest } from '@sigil/core';

/** Everything one signature binds, in generator form. */
export interface SignCase {
  method: string;
  target: string;
  host: string;
  /** Signed headers: lowercase name, the field lines' values, and the case the name is sent in. */
  signed: Array<{ name: string; sentAs: string; values: string[] }>;
  /** Unsigned field lines (names never collide with signed ones). */
  unsigned: Array<[string, string]>;
  body: Uint8Array;
  algorithm: Algorithm;
  keyId: string;
  timestamp: number;
  nonce: string;
}

export const methodArb = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
export const targetArb = fc.stringMatching(/^\/[\x21\x22\x24-\x7e]{0,30}$/);
export const valueArb = fc.stringMatching(/^[\t\x20-\x7e]{0,20}$/);
export const keyIdArb = fc.stringMatching(/^[A-Za-z0-9._~:-]{1,20}$/);
export const nonceArb = fc.stringMatching(/^[A-Za-z0-9_-]{22,32}$/);
export const timestampArb = fc.integer({ min: 0, max: 999_999_999_999 });
export const algorithmArb = fc.constantFrom<Algorithm>('hmac-sha256', 'hmac-sha512');
const signedNameArb = fc
  .stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,12}$/)
  .filter((name) => name !== 'host' && name !== 'sigil-signature' && !name.startsWith('u-'));

export const signCaseArb: fc.Arbitrary<SignCase> = fc.record({
  method: methodArb,
  target: targetArb,
  host: valueArb,
  signed: fc.uniqueArray(
    signedNameArb.chain((name) =>
      fc.record({ name: fc.constant(name), sentAs: fc.mixedCase(fc.constant(name)), values: fc.array(valueArb, { minLength: 1, maxLength: 3 }) }),
    ),
    { maxLength: 4, selector: (h) => h.name },
  ),
  unsigned: fc.array(fc.tuple(fc.stringMatching(/^u-[a-z]{1,6}$/), fc.string({ maxLength: 10 })), { maxLength: 3 }),
  body: fc.uint8Array({ maxLength: 64 }),
  algorithm: algorithmArb,
  keyId: keyIdArb,
  timestamp: timestampArb,
  nonce: nonceArb,
});

/** The request a case describes: host first, then signed and unsigned lines interleaved in order. */
export function toRequest(c: SignCase): SigilRequest {
  const headers: Array<[string, string]> = [['Host', c.host]];
  for (const h of c.signed) for (const v of h.values) headers.push([h.sentAs, v]);
  headers.push(...c.unsigned);
  return { method: c.method, target: c.target, headers, body: c.body };
}

/** The sign options a case describes. */
export function toOptions(c: SignCase) {
  return {
    keyId: c.keyId,
    algorithm: c.algorithm,
    timestamp: c.timestamp,
    nonce: c.nonce,
    headers: c.signed.map((h) => h.sentAs),
  };
}
