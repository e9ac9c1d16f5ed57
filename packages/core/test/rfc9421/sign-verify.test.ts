import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKey, importKey } from '@sigil/core';
import { rfc9421Key, signatureBase, signRfc9421, verifyRfc9421, type Rfc9421Request, type VerifyRfc9421Options } from '@sigil/core/rfc9421';
import { RFC_KEY, RFC_SHARED_SECRET, testRequest, utf8 } from './fixtures.js';

const B25_INPUT = 'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"';
const B25_SIGNATURE = 'sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:';

function withSignature(req: Rfc9421Request, input: string, signature: string): Rfc9421Request {
  return { ...req, headers: [...(req.headers as [string, string][]), ['Signature-Input', input], ['Signature', signature]] };
}

function signed(req: Rfc9421Request, key = RFC_KEY, options: Partial<Parameters<typeof signRfc9421>[2]> = {}): Rfc9421Request {
  const r = signRfc9421(req, key, { keyid: 'test-shared-secret', created: 1618884473, ...options });
  const extra: [string, string][] = [['Signature-Input', r.signatureInput], ['Signature', r.signature]];
  if (r.contentDigest) extra.push(['Content-Digest', r.contentDigest]);
  return { ...req, headers: [...(req.headers as [string, string][]), ...extra] };
}

const verify = (req: Rfc9421Request, options: VerifyRfc9421Options = {}, keys = RFC_KEY) => verifyRfc9421(req, keys, options);

describe('RFC 9421 appendix B.2.5: hmac-sha256 with test-shared-secret', () => {
  it('signs byte for byte: signature base, Signature-Input and Signature', () => {
    const r = signRfc9421(testRequest(), RFC_KEY, {
      label: 'sig-b25',
      keyid: 'test-shared-secret',
      created: 1618884473,
      components: ['date', '@authority', 'content-type'],
      nonce: false,
      includeAlg: false,
    });
    expect(r.base).toBe(
      '"date": Tue, 20 Apr 2021 02:07:55 GMT\n"@authority": example.com\n"content-type": application/json\n' +
        '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"',
    );
    expect(r.signatureInput).toBe(B25_INPUT);
    expect(r.signature).toBe(B25_SIGNATURE);
    expect(r.contentDigest).toBeUndefined(); // the request carries the RFC's own
  });

  it("verifies the RFC's headers (MAC only: the example covers less than Sigil's default policy)", () => {
    const req = withSignature(testRequest(), B25_INPUT, B25_SIGNATURE);
    const result = verify(req, { requiredComponents: [] });
    expect(result).toMatchObject({ ok: true, label: 'sig-b25', keyid: 'test-shared-secret', created: 1618884473, algorithm: 'hmac-sha256' });
    expect(verify(req)).toMatchObject({ ok: false, code: 'header_not_signed' });
  });
});

describe('signRfc9421 then verifyRfc9421', () => {
  it('signs the default components and adds a Content-Digest for content', () => {
    const req = { ...testRequest(), headers: [['Host', 'example.com'], ['Content-Type', 'application/json']] as [string, string][] };
    const r = signRfc9421(req, RFC_KEY, { keyid: 'k1', created: 10, expires: 70, nonce: 'n'.repeat(22), tag: 'app' });
    expect(r.signatureInput).toBe(
      'sig1=("@method" "@authority" "@path" "@query" "content-digest" "content-type");created=10;expires=70;keyid="k1";alg="hmac-sha256";nonce="nnnnnnnnnnnnnnnnnnnnnn";tag="app"',
    );
    expect(r.contentDigest).toBe('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
    const got = verify(signed(req, RFC_KEY, { keyid: 'k1', created: 10, expires: 70, nonce: 'n'.repeat(22) }));
    expect(got).toMatchObject({ ok: true, keyid: 'k1', created: 10, expires: 70, nonce: 'n'.repeat(22), contentDigest: ['sha-256'] });
  });

  it('rejects content that does not match the signed Content-Digest', () => {
    const req = signed(testRequest());
    expect(verify(req).ok).toBe(true);
    expect(verify({ ...req, body: utf8('{"hello": "World"}') })).toMatchObject({ ok: false, code: 'content_digest_mismatch' });
    expect(verify({ ...req, body: utf8('{"hello": "World"}') }, { checkContentDigest: false }).ok).toBe(true);
  });

  it('refuses to sign a Content-Digest that does not match the content', () => {
    expect(() => signRfc9421({ ...testRequest(), body: utf8('x') }, RFC_KEY, { keyid: 'k', created: 1 })).toThrow(
      expect.objectContaining({ code: 'content_digest_mismatch' }),
    );
  });

  it('selects a signature by label or by tag among several', () => {
    const base = testRequest();
    const a = signRfc9421(base, RFC_KEY, { keyid: 'test-shared-secret', created: 1, label: 'a', tag: 'one' });
    const other = rfc9421Key(generateKey());
    const b = signRfc9421(base, other, { keyid: 'other', created: 2, label: 'b', tag: 'two' });
    const req: Rfc9421Request = {
      ...base,
      headers: [...(base.headers as [string, string][]), ['Signature-Input', `${a.signatureInput}, ${b.signatureInput}`], ['Signature', a.signature], ['Signature', b.signature]],
    };
    expect(verify(req, { label: 'a' })).toMatchObject({ ok: true, label: 'a' });
    expect(verify(req, { tag: 'two' }, other)).toMatchObject({ ok: true, label: 'b', created: 2 });
    expect(verify(req, { tag: 'two' })).toMatchObject({ ok: false, code: 'signature_invalid' });
    expect(verify(req)).toMatchObject({ ok: false, code: 'signature_header_malformed' });
    expect(verify(req, { label: 'c' })).toMatchObject({ ok: false, code: 'signature_missing' });
  });

  it('rebuilds @signature-params from the received order, unknown parameters kept', () => {
    const req = testRequest();
    const params = new Map<string, string | number | boolean>([['nonce', 'abc'], ['x-vendor', true], ['keyid', 'test-shared-secret'], ['created', 5]]);
    const base = signatureBase(req, ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type'], params);
    const mac = createHmac('sha256', Buffer.from(RFC_SHARED_SECRET, 'base64')).update(base).digest('base64');
    const input = `sig=("@method" "@authority" "@path" "@query" "content-digest" "content-type");nonce="abc";x-vendor;keyid="test-shared-secret";created=5`;
    const result = verify(withSignature(req, input, `sig=:${mac}:`));
    expect(result).toMatchObject({ ok: true, nonce: 'abc', created: 5 });
    if (result.ok) expect([...result.params.keys()]).toEqual(['nonce', 'x-vendor', 'keyid', 'created']);
  });

  it('takes the algorithm from the key: alg may only agree with it', () => {
    const input = (alg: string) => B25_INPUT + `;alg="${alg}"`;
    const ok = signRfc9421(testRequest(), RFC_KEY, { keyid: 'test-shared-secret', created: 1 });
    expect(verify(signed(testRequest())).ok).toBe(true);
    expect(ok.signatureInput).toContain(';alg="hmac-sha256"');
    const req = (alg: string) => withSignature(testRequest(), input(alg), B25_SIGNATURE);
    expect(verify(req('hmac-sha512'), { requiredComponents: [] })).toMatchObject({ ok: false, code: 'unsupported_algorithm' });
    expect(verify(req('rsa-pss-sha512'), { requiredComponents: [] })).toMatchObject({ ok: false, code: 'unsupported_algorithm' });
    expect(verify(req('hmac-sha256'), { requiredComponents: [] })).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('looks keys up by keyid, tries every key of a rotation and reports the index', () => {
    const req = signed(testRequest());
    const old = rfc9421Key(generateKey());
    const lookup = (id: string) => (id === 'test-shared-secret' ? [old, RFC_KEY] : undefined);
    expect(verifyRfc9421(req, lookup)).toMatchObject({ ok: true, keyIndex: 1 });
    expect(verifyRfc9421(signed(testRequest(), RFC_KEY, { keyid: 'nobody' }), lookup)).toMatchObject({ ok: false, code: 'key_unknown' });
    expect(verifyRfc9421(req, [old])).toMatchObject({ ok: false, code: 'signature_invalid' });
  });

  it('works with a Fetch Headers object', () => {
    const headers = new Headers({ host: 'example.com', 'content-type': 'text/plain' });
    const req: Rfc9421Request = { method: 'PUT', scheme: 'https', target: '/x', headers, body: utf8('hi') };
    const r = signRfc9421(req, RFC_KEY, { keyid: 'k', created: 1 });
    headers.set('signature-input', r.signatureInput);
    headers.set('signature', r.signature);
    headers.set('content-digest', r.contentDigest!);
    expect(verify(req).ok).toBe(true);
  });

  it('reports failures with a code, never with secrets or received values', () => {
    const req = withSignature(testRequest(), B25_INPUT, 'sig-b25=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:');
    const result = verify(req, { requiredComponents: [] });
    expect(result).toMatchObject({ ok: false, code: 'signature_invalid' });
    const text = JSON.stringify(result) + String((result as { error: Error }).error);
    expect(text).not.toContain(RFC_SHARED_SECRET.slice(0, 12));
    expect(text).not.toContain('AAAAAAAA');
    expect(verify(testRequest())).toMatchObject({ ok: false, code: 'signature_missing' });
    expect(verify(withSignature(testRequest(), 'sig=(', 'sig=:AA==:'))).toMatchObject({ ok: false, code: 'signature_header_malformed' });
  });

  it('validates its options and names them', () => {
    const key = rfc9421Key(importKey(new Uint8Array(32)));
    const bad = (options: object) => () => signRfc9421(testRequest(), key, { keyid: 'k', created: 1, ...options });
    expect(bad({ label: 'Bad' })).toThrow(/label/);
    expect(bad({ keyid: '' })).toThrow(/keyid/);
    expect(bad({ created: -1 })).toThrow(/created/);
    expect(bad({ components: ['@nope'] })).toThrow(/components/);
    expect(() => signRfc9421(testRequest(), { key: 'x' } as never, { keyid: 'k', created: 1 })).toThrow(expect.objectContaining({ code: 'invalid_key' }));
  });
});

const header = fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,10}$/), fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/));
const arbitraryRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  path: fc.stringMatching(/^\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]{0,20}$/),
  query: fc.option(fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=:@/?-]{0,20}$/)),
  headers: fc.uniqueArray(header, { maxLength: 4, selector: ([n]) => n }),
  body: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 })),
});

describe('properties', () => {
  it('every signed request verifies, and changing any covered component breaks it', () => {
    fc.assert(
      fc.property(arbitraryRequest, fc.nat(), (a, pick) => {
        const req: Rfc9421Request = {
          method: a.method,
          scheme: 'https',
          target: a.path + (a.query === null ? '' : `?${a.query}`),
          headers: [['host', 'api.example.com'], ...a.headers],
          body: a.body,
        };
        const names = a.headers.map(([n]) => n);
        const s = signed(req, RFC_KEY, { components: ['@method', '@authority', '@path', '@query', ...(a.body ? ['content-digest'] : []), ...names] });
        expect(verify(s).ok).toBe(true);
        const tampered: Rfc9421Request[] = [
          { ...s, method: a.method === 'GET' ? 'HEAD' : 'GET' },
          { ...s, target: `${a.path}x${a.query === null ? '' : `?${a.query}`}` },
          { ...s, target: `${a.path}?${a.query ?? ''}&z` },
          { ...s, authority: 'evil.example' },
        ];
        if (names.length > 0) {
          const name = names[pick % names.length]!;
          tampered.push({ ...s, headers: (s.headers as [string, string][]).map(([n, v]) => [n, n === name ? `${v}!` : v]) });
        }
        for (const t of tampered) expect(verify(t, { requiredComponents: [] }).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('never throws on arbitrary Signature-Input and Signature values', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (input, sig) => {
        const result = verify(withSignature(testRequest(), input, sig));
        expect(result.ok).toBe(false);
      }),
    );
  });
});
