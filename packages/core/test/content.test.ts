// SPEC.md section 4 steps 6 and 8: what a head declares about content, and
// the content rule of coverage (content-type signed when there is content).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCoverage, contentTypeRequired, declaredLength, declaresContent, parseSignatureHeader, type HeaderList } from '../src/index.js';

const H = (...lines: Array<[string, string]>): HeaderList => lines;
const fetchHeaders = (lines: Array<[string, string]>) => new Headers(lines);

describe('declaredLength (SPEC 4 step 8)', () => {
  it('reads one Content-Length of 1 to 15 digits, trimmed of SP/HTAB, any name case', () => {
    expect(declaredLength(H(['Content-Length', ' 12\t']))).toBe(12);
    expect(declaredLength(H(['content-length', '0']))).toBe(0);
    expect(declaredLength(H(['content-length', '9'.repeat(15)]))).toBe(999_999_999_999_999);
  });

  it('is undefined when absent', () => {
    expect(declaredLength(H(['host', 'a']))).toBeUndefined();
    expect(declaredLength(fetchHeaders([]))).toBeUndefined();
  });

  it('is undefined (unknown) when malformed: empty, signed, 16 digits, hex, decimal point', () => {
    for (const value of ['', '+5', '-5', '9'.repeat(16), '0x10', '1.0', '5 5', '٣']) {
      expect(declaredLength(H(['content-length', value])), JSON.stringify(value)).toBeUndefined();
    }
  });

  it('a repeated identical value is that value (two lines, or one line "5, 5" as a Fetch Headers joins them)', () => {
    expect(declaredLength(H(['content-length', '5'], ['Content-Length', '5']))).toBe(5);
    expect(declaredLength(fetchHeaders([['content-length', '5, 5']]))).toBe(5);
    expect(declaredLength(H(['content-length', '05'], ['content-length', '5']))).toBe(5);
  });

  it('differing repeated values are unknown', () => {
    expect(declaredLength(H(['content-length', '5'], ['content-length', '6']))).toBeUndefined();
    expect(declaredLength(H(['content-length', '5, 6']))).toBeUndefined();
  });

  it('property: any single decimal length up to 15 digits round-trips', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (n) => declaredLength(H(['content-length', String(n)])) === n));
  });
});

describe('declaresContent (SPEC 4 step 6)', () => {
  it('Transfer-Encoding of any value declares content', () => {
    expect(declaresContent(H(['Transfer-Encoding', 'chunked']))).toBe(true);
    expect(declaresContent(H(['transfer-encoding', '']))).toBe(true);
  });

  it('a Content-Length above 0 declares content; 0 (also repeated) does not; none does not', () => {
    expect(declaresContent(H(['content-length', '1']))).toBe(true);
    expect(declaresContent(H(['content-length', '0']))).toBe(false);
    expect(declaresContent(H(['content-length', '0'], ['content-length', '0']))).toBe(false);
    expect(declaresContent(H(['content-type', 'text/plain']))).toBe(false);
  });

  it('a malformed or conflicting Content-Length counts as content', () => {
    expect(declaresContent(H(['content-length', 'abc']))).toBe(true);
    expect(declaresContent(H(['content-length', '0'], ['content-length', '1']))).toBe(true);
    expect(declaresContent(fetchHeaders([['content-length', '0, 7']]))).toBe(true);
  });
});

describe('checkCoverage: the content rule (SPEC 4 step 6)', () => {
  const hostOnly = parseSignatureHeader(`v=1;alg=hmac-sha256;kid=k;ts=1700000000;nonce=${'A'.repeat(22)};h=host;mac=${'A'.repeat(43)}`);
  const withType = parseSignatureHeader(`v=1;alg=hmac-sha256;kid=k;ts=1700000000;nonce=${'A'.repeat(22)};h=content-type,host;mac=${'A'.repeat(43)}`);
  const posted = H(['Content-Type', 'application/json'], ['Content-Length', '2']);

  it('refuses an unsigned Content-Type when the head declares content', () => {
    expect(contentTypeRequired(posted)).toBe('content-type');
    expect(() => checkCoverage(hostOnly, [], posted)).toThrow(expect.objectContaining({ code: 'header_not_signed' }));
    expect(() => checkCoverage(hostOnly, [], fetchHeaders([['content-type', 'a/b'], ['transfer-encoding', 'chunked']]))).toThrow(
      expect.objectContaining({ code: 'header_not_signed' }),
    );
  });

  it('accepts it signed, or with no content declared, or with no Content-Type', () => {
    expect(() => checkCoverage(withType, [], posted)).not.toThrow();
    expect(() => checkCoverage(hostOnly, [], H(['content-type', 'a/b'], ['content-length', '0']))).not.toThrow();
    expect(() => checkCoverage(hostOnly, [], H(['content-length', '5']))).not.toThrow();
    expect(contentTypeRequired(H(['content-type', 'a/b']))).toBeUndefined();
  });

  it('without the headers argument only host and the required headers are checked (the per-list part)', () => {
    expect(() => checkCoverage(hostOnly, [])).not.toThrow();
  });
});
