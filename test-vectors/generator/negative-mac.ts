// Negative vectors for SPEC.md section 4 step 10: every signed component
// changed after signing, MACs from other keys, and MAC encodings that a lax
// base64 decoder would accept. All expect signature_invalid.
import { base64urlDecode, base64urlEncode, hexEncode } from '../../packages/core/src/index.js';
import type { NegativeVector, VectorKey, VectorRequest } from '../../packages/core/src/vectors.js';
import { getParam, negative, setParam, signed, withSignature, type SignSpec } from './build.js';
import { KEYS, NOW, nonceFor, req } from './fixtures.js';
import { replaceHeader } from './negative-request.js';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SIGNED = ['content-type', 'x-request-id'];
const ORDER = () =>
  req('POST', '/v1/orders?dry_run=1&notify=0', [['content-type', 'application/json'], ['x-request-id', 'req-7f3a'], ['user-agent', 'app/1.0']], {
    utf8: '{"sku":"A-1","qty":2}',
  });

/** A case: `base` signed per `spec`, then `change` applied to the received request. */
function changed(
  id: string,
  title: string,
  change: (received: VectorRequest, header: string) => VectorRequest,
  options: { base?: VectorRequest; spec?: SignSpec; keys?: VectorKey[] } = {},
): NegativeVector {
  const base = options.base ?? ORDER();
  const spec = options.spec ?? { headers: SIGNED };
  const { header } = signed(id, base, spec);
  return negative(id, title, change(withSignature(base, header), header), 'signature_invalid', {
    keys: options.keys ?? [spec.key ?? KEYS.main],
  });
}

/** A case where only the header value changes. */
function param(id: string, title: string, change: (header: string) => string, options: Parameters<typeof changed>[3] = {}): NegativeVector {
  return changed(id, title, (r, h) => withSignature({ ...r, headers: r.headers.slice(0, -1) }, change(h)), options);
}

/** A case where the MAC bytes are re-encoded or altered. */
function mac(id: string, title: string, change: (bytes: Uint8Array, text: string) => string): NegativeVector {
  return param(id, title, (h) => {
    const text = getParam(h, 'mac');
    const bytes = base64urlDecode(text);
    if (!bytes) throw new Error('generator bug: mac does not decode');
    return setParam(h, 'mac', change(bytes, text));
  });
}

function requestComponents(): NegativeVector[] {
  const body = (b: VectorRequest['body']) => (r: VectorRequest) => ({ ...r, body: b });
  const target = (t: string) => (r: VectorRequest) => ({ ...r, target: t });
  return [
    changed('tampered-method', 'POST replayed as PUT (SPEC 2.2)', (r) => ({ ...r, method: 'PUT' })),
    changed('tampered-method-case', 'POST replayed as "post": methods are case-sensitive (SPEC 2.2)', (r) => ({ ...r, method: 'post' })),
    changed('tampered-path', 'One byte of the path changed (SPEC 2.2)', target('/v1/orderz?dry_run=1&notify=0')),
    changed('tampered-query-value', 'A query value changed: dry_run=1 to dry_run=0 (SPEC 2.2)', target('/v1/orders?dry_run=0&notify=0')),
    changed('tampered-query-removed', 'The query removed (SPEC 2.2)', target('/v1/orders')),
    changed('tampered-query-param-added', 'A query parameter appended (SPEC 2.2)', target('/v1/orders?dry_run=1&notify=0&admin=1')),
    changed('tampered-query-reordered', 'Query parameters reordered (SPEC 2.2: no reordering)', target('/v1/orders?notify=0&dry_run=1')),
    changed('tampered-percent-encoding-case', 'Signed /caf%C3%A9, received /caf%c3%a9 (SPEC 2.2: no normalisation)', target('/caf%c3%a9'), {
      base: req('GET', '/caf%C3%A9'),
      spec: {},
    }),
    changed('tampered-percent-decoded', 'Signed /a%2Fb, received /a/b (SPEC 2.2: no decoding)', target('/a/b'), { base: req('GET', '/a%2Fb'), spec: {} }),
    changed('tampered-signed-header', 'A signed header value changed (SPEC 2.3)', (r) => replaceHeader(r, 'x-request-id', 'req-0000')),
    changed('tampered-signed-header-case', 'A signed value changed only in case: values are case-sensitive (SPEC 2.3)', (r) =>
      replaceHeader(r, 'x-request-id', 'REQ-7F3A'),
    ),
    changed('tampered-signed-header-extra-line', 'A second field line added to a signed name (SPEC 2.3 rule 3)', (r) => ({
      ...r,
      headers: [['x-request-id', 'req-0000'], ...r.headers],
    })),
    changed(
      'tampered-duplicate-lines-reordered',
      'Two field lines of a signed name swapped (SPEC 2.3 rule 3: order matters)',
      (r) => ({ ...r, headers: [r.headers[0]!, r.headers[2]!, r.headers[1]!, r.headers[3]!] }),
      { base: req('GET', '/', [['x-tag', 'a'], ['x-tag', 'b']]), spec: { headers: ['x-tag'] } },
    ),
    changed('tampered-host', 'The host changed (SPEC 2.3)', (r) => replaceHeader(r, 'host', 'evil.example.com')),
    changed('tampered-body-byte', 'One body byte changed (SPEC 2.4)', body({ utf8: '{"sku":"A-1","qty":3}' })),
    changed('tampered-body-appended', 'A newline appended to the body (SPEC 2.4)', body({ utf8: '{"sku":"A-1","qty":2}\n' })),
    changed('tampered-body-removed', 'The body removed (SPEC 2.4)', body(null)),
    changed('tampered-body-added', 'A one-byte body added to a request signed without one (SPEC 2.4)', body({ utf8: ' ' }), {
      base: req('GET', '/v1/me'),
      spec: {},
    }),
  ];
}

function parameters(): NegativeVector[] {
  return [
    param('tampered-kid', 'kid changed to another key the verifier holds (SPEC 2.1 line 3)', (h) => setParam(h, 'kid', KEYS.other.id), {
      keys: [KEYS.main, KEYS.other],
    }),
    param('tampered-kid-same-secret', 'kid changed to an id that shares the secret: the kid itself is signed (SPEC 2.1 line 3)', (h) => setParam(h, 'kid', KEYS.mainAlias.id), {
      keys: [KEYS.main, KEYS.mainAlias],
    }),
    param('tampered-timestamp', 'ts moved by one second, still inside the window (SPEC 2.1 line 4)', (h) => setParam(h, 'ts', String(NOW + 1))),
    param('tampered-nonce', 'The nonce replaced (SPEC 2.1 line 5)', (h) => setParam(h, 'nonce', nonceFor('another nonce'))),
    param('tampered-alg-to-sha512', 'alg switched to hmac-sha512 under a SHA-256 MAC (SPEC 3.4: length mismatch)', (h) => setParam(h, 'alg', 'hmac-sha512')),
    param('tampered-alg-to-sha256', 'alg switched to hmac-sha256 under a SHA-512 MAC (SPEC 3.4)', (h) => setParam(h, 'alg', 'hmac-sha256'), {
      spec: { key: KEYS.sha512, algorithm: 'hmac-sha512', headers: SIGNED },
    }),
    param('tampered-h-name-dropped', 'A name dropped from h (SPEC 2.1 line 8)', (h) => setParam(h, 'h', 'host,x-request-id')),
    param('tampered-h-name-added', 'An unsigned header present in the request added to h (SPEC 2.1 line 8)', (h) =>
      setParam(h, 'h', 'content-type,host,user-agent,x-request-id'),
    ),
    changed('other-key-same-id', 'Signed under kid client-1 with a secret the verifier does not hold (SPEC 5)', (r) => r, {
      spec: { key: KEYS.mainForged, headers: SIGNED },
      keys: [KEYS.main],
    }),
    changed('rotation-unknown-secret', 'Two secrets under one id, signed with a third (SPEC 5 rotation)', (r) => r, {
      spec: { key: KEYS.rotForeign, headers: SIGNED },
      keys: [KEYS.rotOld, KEYS.rotNew],
    }),
    changed('rotation-retired-secret', 'Signed with a secret removed from the rotation (SPEC 5 rotation)', (r) => r, {
      spec: { key: KEYS.rotOld, headers: SIGNED },
      keys: [KEYS.rotNew],
    }),
  ];
}

function macEncodings(): NegativeVector[] {
  return [
    mac('mac-truncated-31-bytes', 'The MAC cut to 31 bytes, canonically encoded (SPEC 3.4)', (b) => base64urlEncode(b.slice(0, 31))),
    mac('mac-truncated-16-bytes', 'The MAC truncated to 128 bits (SPEC 3.4: no truncation)', (b) => base64urlEncode(b.slice(0, 16))),
    mac('mac-one-byte-longer', 'The MAC with one byte appended (SPEC 3.4)', (b) => base64urlEncode(Uint8Array.from([...b, 0]))),
    mac('mac-sha512-length-under-sha256', 'A 64-byte value under hmac-sha256 (SPEC 3.4)', (b) => base64urlEncode(Uint8Array.from([...b, ...b]))),
    mac('mac-non-canonical-trailing-bits', 'The right MAC bytes with non-zero unused trailing bits: lax decoders accept it (SPEC 3.4)', (_b, text) => {
      const last = B64URL.indexOf(text.at(-1)!);
      return text.slice(0, -1) + B64URL[last | 1]!;
    }),
    mac('mac-hex-encoded', 'The right MAC bytes in hex instead of base64url (SPEC 3.4)', (b) => hexEncode(b)),
    mac('mac-all-zero', 'A MAC of 32 zero bytes (SPEC 3.4)', () => 'A'.repeat(43)),
  ];
}

/** Negative vectors of SPEC.md section 4 step 10. */
export function negativeMacVectors(): NegativeVector[] {
  return [...requestComponents(), ...parameters(), ...macEncodings()];
}
