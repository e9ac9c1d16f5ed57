// Signatures a signer must reproduce byte for byte and a verifier must
// accept, and the RFC 9530 Content-Digest examples.
import type { Rfc9421DigestVector, Rfc9421PositiveVector, Rfc9421VectorKey, Rfc9421VectorRequest } from '../../packages/core/src/rfc9421/vectors.js';
import type { SignRfc9421Options } from '../../packages/core/src/rfc9421/index.js';
import { KEYS, req, rfcRequest, SECTION_2_1_FIELDS, sign } from './fixtures.js';

function positive(
  id: string,
  title: string,
  source: string,
  request: Rfc9421VectorRequest,
  options: Partial<SignRfc9421Options> = {},
  key: Rfc9421VectorKey = KEYS.main,
): Rfc9421PositiveVector {
  const s = sign(id, request, key, options);
  return {
    id,
    title,
    source,
    kind: 'positive',
    key: { ...key },
    request: s.request,
    ...(options.structuredFields ? { structuredFields: { ...options.structuredFields } } : {}),
    expected: { signatureInput: s.signatureInput, base: s.base, signature: s.signature },
  };
}

const RFC = { nonce: false, includeAlg: false } as const;
const B2 = 'RFC 9421 appendix B.2';

function rfcCases(): Rfc9421PositiveVector[] {
  const pss = 'the RFC signs it with RSA-PSS; here its base is MACed with the B.1.5 shared secret';
  return [
    positive('rfc9421-b-2-5', 'B.2.5 signing a request using hmac-sha256: the published signature', `${B2}.5`, rfcRequest(), {
      ...RFC,
      label: 'sig-b25',
      created: 1618884473,
      components: ['date', '@authority', 'content-type'],
    }, KEYS.rfc),
    positive('rfc9421-b-2-1', `B.2.1 minimal signature (${pss})`, `${B2}.1 (signature base)`, rfcRequest(), {
      ...RFC,
      label: 'sig-b21',
      created: 1618884473,
      nonce: 'b3k2pp5k7z-50gnwp.yemd',
      components: [],
    }, KEYS.rfcPss),
    positive('rfc9421-b-2-2', `B.2.2 selective components, tag (${pss})`, `${B2}.2 (signature base)`, rfcRequest(), {
      ...RFC,
      label: 'sig-b22',
      created: 1618884473,
      tag: 'header-example',
      components: ['@authority', 'content-digest', '"@query-param";name="Pet"'],
    }, KEYS.rfcPss),
    positive('rfc9421-b-2-3', `B.2.3 full coverage (${pss})`, `${B2}.3 (signature base)`, rfcRequest(), {
      ...RFC,
      label: 'sig-b23',
      created: 1618884473,
      components: ['date', '@method', '@path', '@query', '@authority', 'content-type', 'content-digest', 'content-length'],
    }, KEYS.rfcPss),
  ];
}

function sectionTwoCases(): Rfc9421PositiveVector[] {
  const s2 = 'RFC 9421 section 2';
  const fields = req('GET', '/', SECTION_2_1_FIELDS);
  const dict = req('GET', '/', [['Example-Dict', 'a=1, b=2;x=1;y=2, c=(a b c), d']]);
  const bs = req('GET', '/', [['Example-Header', 'value, with, lots'], ['Example-Header', 'of, commas'], ['X-Latin', 'caf\u00e9']]);
  const query = req('GET', '/parameters?var=this%20is%20a%20big%0Avalue&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something');
  return [
    positive('fields-normalised', 'Field values trimmed, repeated lines joined, an empty value (2.1)', `${s2}.1`, fields, {
      components: ['host', 'date', 'x-ows-header', 'cache-control', 'example-dict', 'x-empty-header'],
    }),
    positive('fields-sf', 'sf re-serialises a structured field whose type the verifier declares (2.1.1, SPEC 9.4)', `${s2}.1.1`, fields, {
      components: ['"example-dict";sf'],
      structuredFields: { 'example-dict': 'dictionary' },
    }),
    positive('fields-key', 'key selects dictionary members, a bare key reads ?1 (2.1.2)', `${s2}.1.2`, dict, {
      components: ['"example-dict";key="a"', '"example-dict";key="d"', '"example-dict";key="b"', '"example-dict";key="c"'],
    }),
    positive('fields-bs', 'bs wraps each field line, and covers a non-ASCII value (2.1.3)', `${s2}.1.3`, bs, {
      components: ['example-header', '"example-header";bs', '"x-latin";bs'],
    }),
    positive('fields-sf-declared-type', 'sf on a field whose type the verifier declares', 'Sigil', req('GET', '/', [['X-List', 'a,   b;q=1']]), {
      components: ['"x-list";sf'],
      structuredFields: { 'x-list': 'list' },
    }),
    positive('derived-all', 'Every derived component of a request (2.2.1-2.2.7)', `${s2}.2`, req('POST', '/path?param=value'), {
      components: ['@method', '@target-uri', '@authority', '@scheme', '@request-target', '@path', '@query'],
    }),
    positive('derived-query-param', '@query-param decodes then re-encodes names and values (2.2.8)', `${s2}.2.8`, query, {
      components: ['"@query-param";name="var"', '"@query-param";name="bar"', '"@query-param";name="fa%C3%A7ade%22%3A%20"'],
    }),
    positive('derived-empty-query', '@query of a target without a query is "?" (2.2.7)', `${s2}.2.7`, req('GET', '/path'), {}),
  ];
}

function sigilCases(): Rfc9421PositiveVector[] {
  const json = req('POST', '/v1/orders?dry_run=1', [['Content-Type', 'application/json']], { utf8: '{"qty":1}' });
  const binary = req('PUT', '/blob', [['Content-Type', 'application/octet-stream']], { base64: 'AAEC/f7/gICAAA==' });
  const prior = sign('prior', json, KEYS.other, { label: 'sig0', tag: 'proxy' });
  const withPrior: Rfc9421VectorRequest = {
    ...prior.request,
    headers: [...prior.request.headers, ['Signature-Input', prior.signatureInput], ['Signature', prior.signature]],
  };
  const http: Rfc9421VectorRequest = { method: 'GET', scheme: 'http', target: '/x', headers: [['Host', 'LOCALHOST:8080']], body: null };
  const h2: Rfc9421VectorRequest = { method: 'GET', scheme: 'https', authority: 'api.example.com:443', target: '/h2', headers: [], body: null };
  return [
    positive('sigil-default-get', 'Default components of a GET without content', 'Sigil', req('GET', '/v1/me')),
    positive('sigil-default-post', 'Default components of a POST: Content-Digest added, content-type covered', 'Sigil', json),
    positive('sigil-sha512-digest', 'A sha-512 Content-Digest', 'Sigil', json, { contentDigest: 'sha-512' }),
    positive('sigil-binary-body', 'Binary content', 'Sigil', binary),
    positive('sigil-empty-body-covered', 'An empty body with content-digest covered hashes the empty string', 'Sigil', req('POST', '/e'), {
      components: ['@method', '@authority', '@path', '@query', 'content-digest'],
    }),
    positive('sigil-utf8-path', 'Percent-encoded UTF-8 path and repeated query keys', 'Sigil', req('GET', '/caf%C3%A9/%E2%9C%93?a=1&a=2&b=%20')),
    positive('sigil-expires-tag', 'expires and tag parameters', 'Sigil', req('DELETE', '/v1/items/7'), { expires: 1_700_000_300, tag: 'sigil-app' }),
    positive('sigil-http-port', 'http with a non-default port: authority lowercased, port kept', 'Sigil', http, {
      components: ['@method', '@target-uri', '@authority', '@scheme', '@path', '@query'],
    }),
    positive('sigil-explicit-authority', 'Authority given by an HTTP/2 adapter, default port dropped, no Host line', 'Sigil', h2, {
      components: ['@method', '@authority', '@path', '@query', '@target-uri'],
    }),
    positive('sigil-second-signature', 'A second signature that covers the first (RFC 9421 section 4.3)', 'Sigil', withPrior, {
      label: 'sig1',
      components: ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type', '"signature";key="sig0"', '"signature-input";key="sig0"'],
    }),
  ];
}

function digest(id: string, title: string, body: Rfc9421DigestVector['body'], algorithm: 'sha-256' | 'sha-512', value: string): Rfc9421DigestVector {
  return { id, title, source: 'RFC 9530', kind: 'digest', body, algorithm, expected: { contentDigest: value } };
}

/** RFC 9530's sample values: hard-coded from the RFC, and checked by core when generated. */
export function digestVectors(): Rfc9421DigestVector[] {
  const hello = { utf8: '{"hello": "world"}' };
  const helloLf = { utf8: '{"hello": "world"}\n' };
  return [
    digest('rfc9530-sha-256', 'sha-256 of {"hello": "world"} (appendix D)', hello, 'sha-256', 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'),
    digest('rfc9530-sha-512', 'sha-512 of {"hello": "world"} (appendix D)', hello, 'sha-512', 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:'),
    digest('rfc9530-sha-512-lf', 'sha-512 of {"hello": "world"} and LF (section 2)', helloLf, 'sha-512', 'sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:'),
    digest('rfc9530-sha-256-lf', 'sha-256 of {"hello": "world"} and LF (appendix B)', helloLf, 'sha-256', 'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:'),
    digest('rfc9530-sha-256-empty', 'sha-256 of empty content (appendix B.2)', null, 'sha-256', 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:'),
  ];
}

export function positiveVectors(): Rfc9421PositiveVector[] {
  return [...rfcCases(), ...sectionTwoCases(), ...sigilCases()];
}
