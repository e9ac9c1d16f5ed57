// The raw HTTP/1.1 reader that sigil verify and sigil canonical share.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRawRequest, parseRawRequest } from '../src/lib/raw-request.js';

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/);
const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);
const header = fc.tuple(token.filter((n) => !/^(content-length|transfer-encoding)$/i.test(n)), value);

describe('parseRawRequest', () => {
  it('reads back what formatRawRequest wrote: method, target, header lines in order, exact body', () => {
    fc.assert(
      fc.property(token, fc.stringMatching(/^\/[\x21-\x7e]{0,40}$/), fc.array(header, { maxLength: 8 }), fc.uint8Array({ maxLength: 64 }), (method, target, headers, body) => {
        const parsed = parseRawRequest(formatRawRequest({ method, target, headers, body }));
        expect(parsed.method).toBe(method);
        expect(parsed.target).toBe(target);
        expect(parsed.headers.slice(0, headers.length)).toEqual(headers.map(([n, v]) => [n, ` ${v}`]));
        expect([...parsed.body]).toEqual([...body]);
      }),
    );
  });

  it('keeps duplicated lines, stops at Content-Length, and keeps non-ASCII header bytes visible', () => {
    const bytes = Buffer.concat([Buffer.from('GET /x HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\nX-B: caf'), Buffer.from([0xc3, 0xa9]), Buffer.from('\r\nContent-Length: 2\r\n\r\nhi-trailing')]);
    const parsed = parseRawRequest(bytes);
    expect(parsed.headers.slice(0, 2)).toEqual([['X-A', ' 1'], ['x-a', ' 2']]);
    expect(parsed.headers[2]![1]).toBe(' caf\u00c3\u00a9');
    expect(Buffer.from(parsed.body).toString()).toBe('hi');
    expect(parsed.framing).toBe('content-length');
  });

  it.each([
    ['no blank line', 'GET / HTTP/1.1\r\nHost: h\r\n', 'does not end with an empty line'],
    ['HTTP/2 line', 'GET / HTTP/2\r\n\r\n', 'the first line'],
    ['folded header', 'GET / HTTP/1.1\r\nA: 1\r\n  2\r\n\r\n', 'obsolete line folding'],
    ['short body', 'POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab', 'fewer than its Content-Length'],
    ['two lengths', 'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 'Content-Length is malformed'],
    ['bad chunk', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'not hexadecimal'],
  ])('refuses %s with a clear message (exit 3)', (_name, text, message) => {
    expect(() => parseRawRequest(Buffer.from(text))).toThrow(message);
    try {
      parseRawRequest(Buffer.from(text));
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(3);
    }
  });
});
