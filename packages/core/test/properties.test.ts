// Invariants of the v1 scheme over generated requests (fast-check, seeded):
// sign/verify round-trips, every signed component is bound, the canonical
// string is injective, and no parser throws anything but a SigilError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  headerValue,
  importKey,
  isSigilError,
  parseSignatureHeader,
  signRequest,
  verifySignature,
  type SigilRequest,
} from '@sigil/core';
import {
  algorithmArb,
  keyIdArb,
  methodArb,
  nonceArb,
  signCaseArb,
  timestampArb,
  toOptions,
  toRequest,
  valueArb,
  type SignCase,
} from './helpers/arbitraries.js';

const RUNS = { seed: 20_231_114, numRuns: 400 };
const key = importKey(new Uint8Array(32).fill(0x5a));
const other = importKey(new Uint8Array(32).fill(0xa5));
const TARGET_CHARS = Array.from({ length: 0x7e - 0x20 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => c !== '#');

function sign(c: SignCase) {
  const request = toRequest(c);
  return { request, signed: signRequest(request, key, toOptions(c)) };
}

describe('round trip', () => {
  it('every signed request verifies, and its canonical string is what was MACed', () => {
    fc.assert(
      fc.property(signCaseArb, (c) => {
        const { request, signed } = sign(c);
        const result = verifySignature(request, signed.header, key);
        expect(result.ok && result.canonical).toBe(signed.canonical);
      }),
      RUNS,
    );
  });

  it('reads a Fetch Headers object exactly like the field lines it was built from', () => {
    fc.assert(
      fc.property(signCaseArb, (c) => {
        const { request, signed } = sign({ ...c, unsigned: [] });
        const headers = new Headers(request.headers as Array<[string, string]>);
        expect(canonicalize({ ...request, headers }, signed.params)).toBe(signed.canonical);
      }),
      RUNS,
    );
  });

  // Regression: the Headers path once trimmed the joined value again, so lines
  // "a" and "" gave "a," instead of SPEC 2.3's "a, ".
  it('Headers path equals field lines when the last repeated line is empty', () => {
    const lines: Array<[string, string]> = [['x-a', 'a'], ['x-a', '']];
    expect(headerValue(new Headers(lines), 'x-a')).toBe(headerValue(lines, 'x-a'));
  });

  it('fails under any other key', () => {
    fc.assert(
      fc.property(signCaseArb, (c) => {
        const { request, signed } = sign(c);
        expect(verifySignature(request, signed.header, other)).toMatchObject({ ok: false, code: 'signature_invalid' });
      }),
      { ...RUNS, numRuns: 100 },
    );
  });
});

describe('every signed component is bound', () => {
  const rejects = (request: SigilRequest, header: Parameters<typeof verifySignature>[1], codes = ['signature_invalid']) => {
    const result = verifySignature(request, header, () => key);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(codes).toContain(result.code);
  };

  it('method', () => {
    fc.assert(
      fc.property(signCaseArb, methodArb, (c, method) => {
        fc.pre(method !== c.method);
        const { request, signed } = sign(c);
        rejects({ ...request, method }, signed.header);
      }),
      RUNS,
    );
  });

  it('each byte of the target, and one byte more', () => {
    fc.assert(
      fc.property(signCaseArb, fc.nat(), fc.constantFrom(...TARGET_CHARS), (c, at, char) => {
        const { request, signed } = sign(c);
        const i = at % (request.target.length + 1);
        fc.pre(request.target[i] !== char);
        const target = request.target.slice(0, i) + char + request.target.slice(i + 1);
        rejects({ ...request, target }, signed.header, ['signature_invalid', 'target_invalid']);
      }),
      { ...RUNS, numRuns: 800 },
    );
  });

  it('each signed header value, host included', () => {
    fc.assert(
      fc.property(signCaseArb, fc.nat(), valueArb, (c, pick, value) => {
        const { request, signed } = sign(c);
        const names = signed.params.headers;
        const name = names[pick % names.length]!;
        const lines = request.headers as Array<[string, string]>;
        const index = lines.findIndex(([n]) => n.toLowerCase() === name);
        const changed = { ...request, headers: lines.map((line, i): [string, string] => (i === index ? [line[0], value] : line)) };
        fc.pre(headerValue(changed.headers, name) !== headerValue(request.headers, name));
        rejects(changed, signed.header);
      }),
      RUNS,
    );
  });

  it('each body byte, and a byte appended', () => {
    fc.assert(
      fc.property(signCaseArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (c, at, flip) => {
        const { request, signed } = sign(c);
        const body = Uint8Array.from(c.body);
        const i = at % (body.length + 1);
        const changed = i === body.length ? Uint8Array.from([...body, flip]) : body.map((b, j) => (j === i ? b ^ flip : b));
        rejects({ ...request, body: changed }, signed.header);
      }),
      RUNS,
    );
  });

  it('key id, timestamp, nonce and algorithm', () => {
    const params = fc.record({ keyId: keyIdArb, timestamp: timestampArb, nonce: nonceArb, algorithm: algorithmArb });
    fc.assert(
      fc.property(signCaseArb, params, fc.constantFrom('keyId', 'timestamp', 'nonce', 'algorithm'), (c, p, field) => {
        fc.pre(p[field] !== c[field]);
        const { request, signed } = sign(c);
        // The lookup returns the same key for every id: only the binding can fail.
        rejects(request, { ...signed.params, [field]: p[field] });
      }),
      RUNS,
    );
  });
});
