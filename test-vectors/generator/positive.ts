// Positive vectors: requests a v1 verifier must accept, with the exact
// canonical string, MAC and header a v1 signer must produce. Each case names
// the SPEC.md rule it pins.
import type { PositiveVector } from '../../packages/core/src/vectors.js';
import { positive } from './build.js';
import { HOST, KEYS, NOW, binaryBody, pattern, req } from './fixtures.js';

const JSON_TYPE: [string, string] = ['content-type', 'application/json'];

function requestShapes(): PositiveVector[] {
  return [
    positive('get-minimal', 'GET / signing only host (SPEC 2.1)', req('GET', '/')),
    positive(
      'spec-example',
      'The example of SPEC 2.1: repeated query key, x-request-id signed, fixed nonce',
      req('GET', '/v1/orders?status=open&status=paid', [['x-request-id', '7f3a']]),
      { nonce: 'AAECAwQFBgcICQoLDA0ODw', headers: ['x-request-id'] },
    ),
    positive(
      'post-json',
      'POST with a JSON body, content-type signed',
      req('POST', '/v1/orders', [JSON_TYPE], { utf8: '{"sku":"A-1","qty":2}' }),
      { headers: ['content-type'] },
    ),
    positive('method-lowercase', 'Methods are case-sensitive: "get" is signed as sent (SPEC 2.2)', req('get', '/v1/me')),
    positive('method-extension-token', 'An extension method token with "-" (SPEC 2.2)', req('M-SEARCH', '/devices')),
    positive('method-max-length', 'A 32-character method, the longest allowed (SPEC 2.2)', req('X'.repeat(32), '/')),
    positive(
      'path-utf8-percent-encoded',
      'A UTF-8 path and query as sent on the wire: percent-encoded, signed as is (SPEC 2.2)',
      req('GET', '/caf%C3%A9/%E2%9C%93?q=%F0%9F%98%80&city=M%C3%BCnchen'),
    ),
    positive(
      'path-percent-encoding-lowercase',
      'Lowercase percent-escapes are not normalised to uppercase (SPEC 2.2)',
      req('GET', '/caf%c3%a9'),
    ),
    positive(
      'path-encoded-reserved',
      'Encoded slash, percent and space stay encoded (SPEC 2.2)',
      req('GET', '/files/a%2Fb/100%25%20done?next=%26x%3D1'),
    ),
    positive('path-dot-segments', 'Dot segments and empty segments are not removed (SPEC 2.2)', req('GET', '/a/./b/../c//d')),
    positive(
      'target-all-visible-characters',
      'Every visible ASCII character but "#" is allowed in the target (SPEC 2.2)',
      req('GET', "/p!\"$%&'()*+,-.:;<=>@[\\]^_`{|}~?a=b|c"),
    ),
    positive(
      'query-repeated-keys',
      'Repeated query keys, in the order sent, including an empty value (SPEC 2.2)',
      req('GET', '/search?tag=b&tag=a&tag=b&tag='),
    ),
    positive('query-unsorted', 'The query is not reordered (SPEC 2.2)', req('GET', '/search?z=1&a=2&m=3')),
    positive('query-empty', 'A "?" with nothing after it is part of the target (SPEC 2.2)', req('GET', '/p?')),
    positive('query-flags', 'Query parts without "=" and with an empty name (SPEC 2.2)', req('GET', '/p?flag&=v&a=&&b')),
    positive('target-max-length', 'An 8192-character target, the longest allowed (SPEC 2.2)', req('GET', `/${'a'.repeat(8191)}`)),
  ];
}

function headerShapes(): PositiveVector[] {
  return [
    positive(
      'header-duplicated-lines',
      'Three field lines of one name are joined with ", " in order (SPEC 2.3)',
      req('GET', '/', [['x-tag', 'b'], ['accept', '*/*'], ['x-tag', 'a'], ['X-Tag', 'c']]),
      { headers: ['x-tag'] },
    ),
    positive(
      'header-whitespace-padded',
      'Leading and trailing SP/HTAB are trimmed; inner whitespace is kept (SPEC 2.3)',
      req('GET', '/', [['x-padded', ' \t value  with \t inner   space \t '], ['host', `  ${HOST}\t`]]),
      { headers: ['x-padded'] },
    ),
    positive(
      'header-duplicated-padded-and-empty',
      'Duplicated lines are trimmed each, and an empty line still contributes ", " (SPEC 2.3)',
      req('GET', '/', [['x-list', ' 1 '], ['x-list', '\t2\t'], ['x-list', '']]),
      { headers: ['x-list'] },
    ),
    positive('header-empty-value', 'A signed header with an empty value (SPEC 2.3)', req('GET', '/', [['x-empty', '']]), {
      headers: ['x-empty'],
    }),
    positive(
      'header-whitespace-only-value',
      'A value of only whitespace trims to the empty string (SPEC 2.3)',
      req('GET', '/', [['x-blank', ' \t ']]),
      { headers: ['x-blank'] },
    ),
    positive(
      'header-names-mixed-case',
      'Field names match case-insensitively; canonical lines use lowercase names (SPEC 2.3)',
      req('PUT', '/v1/items/9', [['HOST', HOST], ['Content-Type', 'text/plain'], ['X-Request-ID', 'ab-12']], { utf8: 'x' }),
      { headers: ['content-type', 'x-request-id'] },
    ),
    positive(
      'signed-names-mixed-case-and-duplicated',
      'Names to sign given in any case, duplicated, and host listed: lowercased, sorted, unique (SPEC 2.3)',
      req('GET', '/', [['x-request-id', 'r1'], ['content-type', 'text/plain']]),
      { headers: ['X-Request-Id', 'CONTENT-TYPE', 'content-type', 'Host'] },
    ),
    positive(
      'header-value-delimiters',
      'Values may hold ";", "=", ",", ":", quotes, "|" and inner tabs (SPEC 2.3)',
      req('GET', '/', [['x-meta', 'a=b; c="d,e"\t:f|g']]),
      { headers: ['x-meta'] },
    ),
    positive('host-with-port', 'A host with a port, signed as sent (SPEC 2.3)', req('GET', '/', [['host', '127.0.0.1:8443']])),
    positive(
      'unsigned-headers-not-examined',
      'Unsigned headers, even with bytes a signed value may not hold, are ignored (SPEC 2.3)',
      req('GET', '/', [['user-agent', 'test/1.0'], ['x-note', 'caf\u00e9 \u2713'], ['x-raw', 'a\u0000b']]),
    ),
    positive(
      'header-value-max-length',
      'A signed value of 8192 characters, the longest allowed (SPEC 2.3)',
      req('GET', '/', [['x-big', 'v'.repeat(8192)]]),
      { headers: ['x-big'] },
    ),
    positive(
      'signed-headers-max-count',
      'Thirty-two signed names, the most allowed; tchar punctuation in names (SPEC 2.3)',
      req('GET', '/', [
        ["x-!#$%&'*+.^_`|~", 'punct'],
        ...Array.from({ length: 30 }, (_, i): [string, string] => [`x-h${String(i).padStart(2, '0')}`, `v${i}`]),
      ]),
      { headers: ["x-!#$%&'*+.^_`|~", ...Array.from({ length: 30 }, (_, i) => `x-h${String(i).padStart(2, '0')}`)] },
    ),
  ];
}

function bodies(): PositiveVector[] {
  const large = pattern(65_543, 42);
  return [
    positive('body-absent', 'No body hashes the empty string (SPEC 2.4)', req('POST', '/empty', [], null)),
    positive('body-empty-utf8', 'An empty body equals no body (SPEC 2.4)', req('POST', '/empty', [], { utf8: '' })),
    positive('body-empty-base64', 'An empty base64 body equals no body (SPEC 2.4)', req('POST', '/empty', [], { base64: '' })),
    positive(
      'body-binary-all-bytes',
      'A binary body holding every byte value 0x00-0xff, hashed as raw bytes (SPEC 2.4)',
      req('POST', '/upload', [['content-type', 'application/octet-stream']], binaryBody(Uint8Array.from({ length: 256 }, (_, i) => i))),
      { headers: ['content-type'] },
    ),
    positive(
      'body-invalid-utf8',
      'A body that is not valid UTF-8 is hashed as bytes, never decoded (SPEC 2.4)',
      req('POST', '/upload', [], binaryBody(Uint8Array.from([0xff, 0xfe, 0xc3, 0x28, 0x00]))),
    ),
    positive(
      'body-large-64k',
      'A 65,543-byte binary body (SPEC 2.4)',
      req('POST', '/upload', [['content-type', 'application/octet-stream']], binaryBody(large)),
      { headers: ['content-type'] },
    ),
    positive(
      'body-utf8-multibyte',
      'A text body with 2-, 3- and 4-byte UTF-8 sequences (SPEC 2.4)',
      req('POST', '/notes', [['content-type', 'text/plain; charset=utf-8']], { utf8: 'h\u00e9llo w\u00f6rld \u2713 \u{1f600}' }),
      { headers: ['content-type'] },
    ),
    positive(
      'body-control-characters',
      'Body bytes may be CR, LF, NUL or "|": they are hashed, never placed in the canonical string (SPEC 2.4)',
      req('POST', '/raw', [], { utf8: 'a\r\nb\u0000c|d\n' }),
    ),
  ];
}

function parameters(): PositiveVector[] {
  const post = () => req('POST', '/v1/orders', [JSON_TYPE], { utf8: '{"sku":"A-1","qty":2}' });
  return [
    positive('sha512-get', 'HMAC-SHA512: 64-byte MAC, 86 characters (SPEC 3.4)', req('GET', '/v1/me'), {
      key: KEYS.sha512,
      algorithm: 'hmac-sha512',
    }),
    positive('sha512-post', 'HMAC-SHA512 with a body; the body digest stays SHA-256 (SPEC 2.4)', post(), {
      key: KEYS.sha512,
      algorithm: 'hmac-sha512',
      headers: ['content-type'],
    }),
    positive('key-base64', 'A secret given in standard base64 (SPEC 5)', post(), { key: KEYS.b64, headers: ['content-type'] }),
    positive('key-hex', 'A secret given in hex (SPEC 5)', post(), { key: KEYS.hex, headers: ['content-type'] }),
    positive('key-utf8', 'A secret given as UTF-8 text with multibyte characters (SPEC 5)', post(), {
      key: KEYS.utf8,
      headers: ['content-type'],
    }),
    positive('key-min-16-bytes', 'A 16-byte secret, the shortest allowed, under a one-character kid (SPEC 5)', req('GET', '/'), {
      key: KEYS.min,
    }),
    positive('key-200-bytes-sha256', 'A 200-byte secret: longer than the SHA-256 block, hashed first (RFC 2104)', req('GET', '/'), {
      key: KEYS.long,
    }),
    positive('key-200-bytes-sha512', 'A 200-byte secret: longer than the SHA-512 block, hashed first (RFC 2104)', req('GET', '/'), {
      key: KEYS.long,
      algorithm: 'hmac-sha512',
    }),
    positive('key-rotation-new-secret', 'The new secret of a rotating key id (SPEC 5)', req('GET', '/'), { key: KEYS.rotNew }),
    positive('key-rotation-verifier-holds-both-new-signs', 'Two secrets under one id on the verifier; the new one signs (SPEC 5)', req('GET', '/'), {
      key: KEYS.rotNew,
      verify: { keys: [KEYS.rotOld, KEYS.rotNew], policy: { now: NOW, toleranceSeconds: 300, requiredHeaders: [] } },
    }),
    positive('key-rotation-verifier-holds-both-old-signs', 'Two secrets under one id on the verifier; the old one still signs (SPEC 5)', req('GET', '/'), {
      key: KEYS.rotOld,
      verify: { keys: [KEYS.rotOld, KEYS.rotNew, KEYS.other], policy: { now: NOW, toleranceSeconds: 300, requiredHeaders: [] } },
    }),
    positive('timestamp-edge-stale-accepted', 'ts exactly toleranceSeconds before now is accepted (SPEC 4 step 5: abs(now - ts) <= tolerance)', req('GET', '/'), {
      verify: { keys: [KEYS.main], policy: { now: NOW + 300, toleranceSeconds: 300, requiredHeaders: [] } },
    }),
    positive('timestamp-edge-future-accepted', 'ts exactly toleranceSeconds after now is accepted (SPEC 4 step 5)', req('GET', '/'), {
      verify: { keys: [KEYS.main], policy: { now: NOW - 300, toleranceSeconds: 300, requiredHeaders: [] } },
    }),
    positive('required-headers-covered', 'The verifier requires content-type and x-tenant; both are signed (SPEC 4 step 6)',
      req('POST', '/v1/orders', [['Content-Type', 'application/json'], ['X-Tenant', 'acme']], { utf8: '{}' }), {
      headers: ['content-type', 'x-tenant'],
      verify: { keys: [KEYS.main], policy: { now: NOW, toleranceSeconds: 300, requiredHeaders: ['Content-Type', 'x-tenant'] } },
    }),
    positive('content-type-signed-with-content-length', 'Content-Type and Content-Length: 2 with content-type signed (SPEC 4 step 6, content rule)',
      req('POST', '/v1/orders', [JSON_TYPE, ['Content-Length', '2']], { utf8: '{}' }), { headers: ['content-type'] }),
    positive('content-type-signed-chunked', 'Content-Type and Transfer-Encoding: chunked with content-type signed (SPEC 4 step 6, content rule)',
      req('POST', '/v1/orders', [JSON_TYPE, ['Transfer-Encoding', 'chunked']], { utf8: '{}' }), { headers: ['content-type'] }),
    positive('content-type-unsigned-content-length-zero', 'Content-Type with Content-Length: 0 declares no content: it need not be signed (SPEC 4 step 6, content rule)',
      req('DELETE', '/v1/orders/7', [JSON_TYPE, ['Content-Length', '0']])),
    positive('content-type-unsigned-repeated-zero', 'Content-Length: 0, 0 is one readable 0 (RFC 9110 8.6): no content, content-type need not be signed (SPEC 4 step 8)',
      req('DELETE', '/v1/orders/7', [JSON_TYPE, ['Content-Length', '0, 0']])),
    positive('content-type-unsigned-without-framing', 'Content-Type without Content-Length or Transfer-Encoding declares no content: it need not be signed (SPEC 4 step 6, content rule)',
      req('GET', '/v1/orders', [JSON_TYPE])),
    positive('query-non-utf8-name-not-decoded', 'sigil-signature%FF does not decode to UTF-8, so it stays as it is and names no signature parameter (SPEC 4 step 2)',
      req('GET', '/x?sigil-signature%FF=1')),
    positive('query-value-uppercase-kid-mac', 'A value holding KID= and MAC=: values are compared case-sensitively (SPEC 4 step 2)',
      req('GET', '/x?note=KID%3D1%26MAC%3D2')),
    positive('query-value-non-utf8-not-decoded', 'A value kid%3D1%26mac%3D2%FF is not UTF-8 once decoded, so it stays as it is and holds no "kid=" (SPEC 4 step 2)',
      req('GET', '/x?q=kid%3D1%26mac%3D2%FF')),
    positive('kid-all-characters', 'A kid using every allowed character class (SPEC 3.3)', req('GET', '/'), {
      key: { ...KEYS.other, id: 'Az09._~:-' },
    }),
    positive('kid-max-length', 'A 128-character kid, the longest allowed (SPEC 3.3)', req('GET', '/'), {
      key: { ...KEYS.other, id: 'k'.repeat(128) },
    }),
    positive('nonce-min-length', 'A 22-character nonce, the shortest allowed (SPEC 3.3)', req('GET', '/'), {
      nonce: '-_-_0123456789abcdefAZ',
    }),
    positive('nonce-max-length', 'A 128-character nonce, the longest allowed (SPEC 3.3)', req('GET', '/'), {
      nonce: 'N'.repeat(64) + '_-'.repeat(32),
    }),
    positive('timestamp-zero', 'ts=0 (SPEC 3.3)', req('GET', '/'), { timestamp: 0 }),
    positive('timestamp-max-12-digits', 'A 12-digit ts, the longest allowed (SPEC 3.3)', req('GET', '/'), { timestamp: 999_999_999_999 }),
  ];
}

/** Every positive vector except the naive-collision pairs. */
export function positiveVectors(): PositiveVector[] {
  return [...requestShapes(), ...headerShapes(), ...bodies(), ...parameters()];
}
