// RFC 9421 signature base conformance: the component examples of section 2
// and the signature bases of appendix B.2, byte for byte.
import { describe, expect, it } from 'vitest';
import { signatureBase, type ComponentInput, type Rfc9421Request } from '@sigil/core/rfc9421';
import { RFC_CONTENT_DIGEST, request, SECTION_2_1_FIELDS, testRequest } from './fixtures.js';

/** The component lines of the base, without the @signature-params line. */
function lines(req: Rfc9421Request, components: ComponentInput[]): string[] {
  return signatureBase(req, components, new Map()).split('\n').slice(0, -1);
}

describe('RFC 9421 section 2.1: HTTP fields', () => {
  const req = request('/', SECTION_2_1_FIELDS);

  it('trims each field line and joins repeated lines with ", "', () => {
    expect(lines(req, ['host', 'date', 'x-ows-header', 'cache-control', 'example-dict', 'x-empty-header'])).toEqual([
      '"host": www.example.com',
      '"date": Tue, 20 Apr 2021 02:07:56 GMT',
      '"x-ows-header": Leading and trailing whitespace.',
      '"cache-control": max-age=60, must-revalidate',
      '"example-dict": a=1,    b=2;x=1;y=2,   c=(a   b   c)',
      '"x-empty-header": ',
    ]);
  });

  it('2.1.1 sf re-serialises a structured field whose type is declared (SPEC 9.4)', () => {
    const base = signatureBase(req, ['"example-dict";sf'], new Map(), { structuredFields: { 'example-dict': 'dictionary' } });
    expect(base.split('\n')[0]).toBe('"example-dict";sf: a=1, b=2;x=1;y=2, c=(a b c)');
  });

  it('2.1.1 sf on example-dict without a declared type is refused: Sigil knows only the types SPEC 9.4 lists', () => {
    expect(() => lines(req, ['"example-dict";sf'])).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });

  it('2.1.2 key selects one dictionary member', () => {
    const dict = request('/', [['Example-Dict', 'a=1, b=2;x=1;y=2, c=(a b c), d']]);
    expect(lines(dict, ['"example-dict";key="a"', '"example-dict";key="d"', '"example-dict";key="b"', '"example-dict";key="c"'])).toEqual([
      '"example-dict";key="a": 1',
      '"example-dict";key="d": ?1',
      '"example-dict";key="b": 2;x=1;y=2',
      '"example-dict";key="c": (a b c)',
    ]);
  });

  it('2.1.3 bs wraps each field line as a byte sequence', () => {
    const two = request('/', [['Example-Header', 'value, with, lots'], ['Example-Header', 'of, commas']]);
    expect(lines(two, ['example-header', '"example-header";bs'])).toEqual([
      '"example-header": value, with, lots, of, commas',
      '"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:',
    ]);
    const one = request('/', [['Example-Header', 'value, with, lots, of, commas']]);
    expect(lines(one, ['"example-header";bs'])).toEqual(['"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHMsIG9mLCBjb21tYXM=:']);
  });
});

describe('RFC 9421 section 2.2: derived components', () => {
  it('2.2.1-2.2.7 method, target URI, authority, scheme, request target, path, query', () => {
    const req = request('/path?param=value', [], 'POST');
    expect(lines(req, ['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query'])).toEqual([
      '"@method": POST',
      '"@target-uri": https://www.example.com/path?param=value',
      '"@authority": www.example.com',
      '"@scheme": https',
      '"@request-target": /path?param=value',
      '"@path": /path',
      '"@query": ?param=value',
    ]);
    expect(lines(request('/path?param=value&foo=bar&baz=bat%2Dman', []), ['@query'])).toEqual(['"@query": ?param=value&foo=bar&baz=bat%2Dman']);
    expect(lines(request('/path?queryString', []), ['@query'])).toEqual(['"@query": ?queryString']);
    expect(lines(request('/path', []), ['@query'])).toEqual(['"@query": ?']);
  });

  it('2.2.3 normalises the authority: lowercase, default port removed', () => {
    const req = (authority: string, scheme: 'http' | 'https' = 'https'): Rfc9421Request => ({ ...request('/', []), scheme, authority });
    expect(lines(req('WWW.Example.COM:443'), ['@authority'])).toEqual(['"@authority": www.example.com']);
    expect(lines(req('example.com:80', 'http'), ['@authority', '@target-uri'])).toEqual(['"@authority": example.com', '"@target-uri": http://example.com/']);
    expect(lines(req('example.com:8443'), ['@authority'])).toEqual(['"@authority": example.com:8443']);
    expect(lines(req('[::1]:443'), ['@authority'])).toEqual(['"@authority": [::1]']);
  });

  it('2.2.8 query parameters, decoded and re-encoded', () => {
    const req = request('/parameters?var=this%20is%20a%20big%0Avalue&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something', []);
    expect(lines(req, ['"@query-param";name="var"', '"@query-param";name="bar"', '"@query-param";name="fa%C3%A7ade%22%3A%20"'])).toEqual([
      '"@query-param";name="var": this%20is%20a%20big%0Avalue',
      '"@query-param";name="bar": with%20plus%20whitespace',
      '"@query-param";name="fa%C3%A7ade%22%3A%20": something',
    ]);
    const simple = request('/path?param=value&foo=bar&baz=batman&qux=', []);
    expect(lines(simple, ['"@query-param";name="baz"', '"@query-param";name="qux"', '"@query-param";name="param"'])).toEqual([
      '"@query-param";name="baz": batman',
      '"@query-param";name="qux": ',
      '"@query-param";name="param": value',
    ]);
  });
});

describe('RFC 9421 appendix B.2: signature bases of the test request', () => {
  it('B.2.1 minimal signature', () => {
    expect(signatureBase(testRequest(), [], { created: 1618884473, keyid: 'test-key-rsa-pss', nonce: 'b3k2pp5k7z-50gnwp.yemd' })).toBe(
      '"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"',
    );
  });

  it('B.2.2 selective components', () => {
    const base = signatureBase(testRequest(), ['@authority', 'content-digest', { name: '@query-param', params: { name: 'Pet' } }], {
      created: 1618884473,
      keyid: 'test-key-rsa-pss',
      tag: 'header-example',
    });
    expect(base).toBe(
      [
        '"@authority": example.com',
        `"content-digest": ${RFC_CONTENT_DIGEST}`,
        '"@query-param";name="Pet": dog',
        '"@signature-params": ("@authority" "content-digest" "@query-param";name="Pet");created=1618884473;keyid="test-key-rsa-pss";tag="header-example"',
      ].join('\n'),
    );
  });

  it('B.2.3 full coverage', () => {
    const components = ['date', '@method', '@path', '@query', '@authority', 'content-type', 'content-digest', 'content-length'];
    expect(signatureBase(testRequest(), components, { created: 1618884473, keyid: 'test-key-rsa-pss' })).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@query": ?param=Value&Pet=dog',
        '"@authority": example.com',
        '"content-type": application/json',
        `"content-digest": ${RFC_CONTENT_DIGEST}`,
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
      ].join('\n'),
    );
  });

  it('keeps the order and the unknown names of parameters given as a Map', () => {
    const params = new Map<string, string | number>([['keyid', 'k'], ['x-extra', 'kept'], ['created', 1]]);
    expect(signatureBase(testRequest(), ['@method'], params)).toBe('"@method": POST\n"@signature-params": ("@method");keyid="k";x-extra="kept";created=1');
  });
});

describe('errors the RFC requires', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return 'no error';
  };
  const req = testRequest([['X-Latin', 'caf\u00e9'], ['X-Dup', 'a'], ['X-Dup', 'b']]);
  const base = (components: ComponentInput[], r: Rfc9421Request = req) => code(() => signatureBase(r, components, {}));

  it('missing components', () => {
    expect(base(['x-absent'])).toBe('signed_header_missing');
    expect(base(['"@query-param";name="absent"'])).toBe('signed_header_missing');
    expect(base(['"content-digest";key="sha-256"'])).toBe('signed_header_missing');
  });
  it('duplicated components, in any parameter order', () => {
    expect(base(['@method', '@method'])).toBe('invalid_option');
    expect(base(['"example-dict";key="a";sf', '"example-dict";sf;key="a"'])).toBe('invalid_option');
    expect(base(['"@query-param";name="a"', '"@query-param";name="b"'])).toBe('signed_header_missing');
  });
  it('non-ASCII values, unless bs is used', () => {
    expect(base(['x-latin'])).toBe('header_value_invalid');
    expect(base(['"x-latin";bs'])).toBe('no error');
  });
  it('unknown, misapplied or conflicting parameters and names', () => {
    expect(base(['@status'])).toBe('invalid_option');
    expect(base(['@unknown'])).toBe('invalid_option');
    expect(base(['"@method";req'])).toBe('invalid_option');
    expect(base(['"date";tr'])).toBe('invalid_option');
    expect(base(['"content-digest";sf;bs'])).toBe('invalid_option');
    expect(base(['"x-dup";sf'])).toBe('invalid_option');
    expect(base(['Date'])).toBe('invalid_option');
    expect(base(['@signature-params'])).toBe('invalid_option');
    expect(base(['"@query-param";name=1'])).toBe('invalid_option');
  });
  it('reads a query that starts with "?" as the URL parser does (the name is "?a")', () => {
    expect(lines(request('/p??a=1', []), ['"@query-param";name="%3Fa"'])).toEqual(['"@query-param";name="%3Fa": 1']);
  });
  it('a repeated query parameter cannot be covered', () => {
    expect(base(['"@query-param";name="a"'], request('/p?a=1&a=2', []))).toBe('invalid_option');
  });
  it('an authority it cannot read', () => {
    expect(base(['@authority'], { ...request('/', []), headers: [] })).toBe('target_invalid');
    expect(base(['@authority'], { ...request('/', []), headers: [['host', 'a.example'], ['host', 'b.example']] })).toBe('target_invalid');
    expect(base(['@authority'], { ...request('/', []), authority: 'a b' })).toBe('target_invalid');
    expect(base(['@scheme'], { ...request('/', []), scheme: 'ftp' as 'https' })).toBe('target_invalid');
  });
});
