// Requests a verifier must reject, each signed by core and then changed in
// one way, with the error code of the first failing check.
import type { SigilErrorCode } from '../../packages/core/src/errors.js';
import type { Rfc9421NegativeVector, Rfc9421VectorKey, Rfc9421VectorRequest } from '../../packages/core/src/rfc9421/vectors.js';
import { KEYS, NOW, nonceFor, received, req, rfcRequest, sign, signRaw, type Signed } from './fixtures.js';

type Options = Rfc9421NegativeVector['options'];

function negative(
  id: string,
  title: string,
  request: Rfc9421VectorRequest,
  error: SigilErrorCode,
  options: Options = {},
  keys: Rfc9421VectorKey[] = [KEYS.main],
): Rfc9421NegativeVector {
  return { id, title, source: 'Sigil', kind: 'negative', keys: keys.map((k) => ({ ...k })), request, options, expected: { error } };
}

const get = () => req('GET', '/v1/me');
const post = () => req('POST', '/v1/orders?dry_run=1', [['Content-Type', 'application/json']], { utf8: '{"qty":1}' });
const swap = (s: Signed, from: string, to: string) => received(s, s.signatureInput.replace(from, to));
const all: Options = { requiredComponents: [] };
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `sig1=:<44 characters ending in one "=">:` without the padding. */
function unpadded(signature: string): string {
  if (!signature.endsWith('=:')) throw new Error('generator bug: a 32-byte MAC ends in one "="');
  return `${signature.slice(0, -2)}:`;
}

/** The same bytes with the two unused bits of the last base64 character set: a second spelling. */
function dirtyBits(signature: string): string {
  const at = signature.length - 3; // the character before "=:"
  const index = B64.indexOf(signature[at]!);
  if (index < 0 || (index & 3) !== 0) throw new Error('generator bug: canonical base64 ends in a character whose low bits are zero');
  return `${signature.slice(0, at)}${B64[index | 1]}${signature.slice(at + 1)}`;
}

function parsing(): Rfc9421NegativeVector[] {
  const s = sign('parse', get());
  const two = sign('two-b', get(), KEYS.main, { label: 'b', tag: 'app' });
  const both: Rfc9421VectorRequest = { ...received(s), headers: [...received(s).headers, ['Signature-Input', two.signatureInput], ['Signature', two.signature]] };
  return [
    negative('no-signature', 'No Signature-Input or Signature field', get(), 'signature_missing'),
    negative('no-signature-field', 'Signature-Input without Signature', { ...s.request, headers: [...s.request.headers, ['Signature-Input', s.signatureInput]] }, 'signature_missing'),
    negative('input-unterminated', 'Signature-Input is not a valid dictionary', received(s, 'sig1=("@method"'), 'signature_header_malformed'),
    negative('input-not-inner-list', 'A Signature-Input member that is an item', received(s, 'sig1=1'), 'signature_header_malformed'),
    negative('signature-not-bytes', 'A Signature member that is a string', received(s, s.signatureInput, 'sig1="abc"'), 'signature_header_malformed'),
    negative('signature-label-without-equals', 'Signature "sig1:...:" (the "=" after the label dropped) is not a dictionary', received(s, s.signatureInput, s.signature.replace('=:', ':')), 'signature_header_malformed'),
    negative('signature-unpadded', 'A Signature byte sequence without its "=" padding: Sigil requires canonical padded base64 (SPEC 9.3)', received(s, s.signatureInput, unpadded(s.signature)), 'signature_header_malformed'),
    negative('signature-non-canonical-bits', 'A Signature byte sequence whose unused low bits are not zero: not canonical base64 (SPEC 9.3)', received(s, s.signatureInput, dirtyBits(s.signature)), 'signature_header_malformed'),
    negative('signature-non-ascii', 'A non-ASCII character in Signature-Input', received(s, `${s.signatureInput};x="\u00e9"`), 'signature_header_malformed'),
    negative('label-absent', 'The label the verifier asks for is absent', received(s), 'signature_missing', { label: 'other' }),
    negative('label-no-signature', 'Signature has no member for the label', received(s, s.signatureInput, 'other=:AAAA:'), 'signature_missing'),
    negative('tag-absent', 'No signature carries the tag the verifier asks for', received(s), 'signature_missing', { tag: 'app' }),
    negative('ambiguous', 'Two signatures and no label or tag to choose one', both, 'signature_header_malformed'),
    negative('created-string', 'created is a string', swap(s, `created=${NOW}`, `created="${NOW}"`), 'signature_header_malformed'),
    negative('created-negative', 'created is negative', swap(s, `created=${NOW}`, 'created=-1'), 'signature_header_malformed'),
    negative('keyid-token', 'keyid is a token, not a string', swap(s, 'keyid="client-1"', 'keyid=client-1'), 'signature_header_malformed'),
    negative('nonce-integer', 'nonce is an integer', swap(s, `nonce="${nonceFor('parse')}"`, 'nonce=1'), 'signature_header_malformed'),
    negative('component-uppercase', 'A field component name in uppercase', swap(s, '"@method"', '"Host"'), 'signature_header_malformed', all),
    negative('component-duplicate', 'A component covered twice', swap(s, '"@method"', '"@method" "@method"'), 'signature_header_malformed'),
    negative('component-duplicate-params', 'A component covered twice, its parameters in another order', received(s, 'sig1=("x";sf;key="a" "x";key="a";sf);keyid="client-1"'), 'signature_header_malformed', all),
    negative('component-signature-params', '@signature-params covered', swap(s, '"@method"', '"@method" "@signature-params"'), 'signature_header_malformed'),
    negative('component-token', 'A component identifier that is a token', swap(s, '"@method"', '"@method" date'), 'signature_header_malformed'),
    negative('component-unknown-derived', 'An unknown derived component', swap(s, '"@method"', '"@method" "@fragment"'), 'signature_header_malformed'),
    negative('component-status', '@status in a request', swap(s, '"@method"', '"@method" "@status"'), 'signature_header_malformed'),
    negative('component-req', 'The req parameter in a request', swap(s, '"@method"', '"@method";req'), 'signature_header_malformed', all),
    negative('component-bs-sf', 'bs with sf', swap(s, '"@method"', '"@method" "host";bs;sf'), 'signature_header_malformed'),
    negative('component-unknown-param', 'An unknown component parameter', swap(s, '"@method"', '"@method" "host";x'), 'signature_header_malformed'),
    negative('component-sf-unknown-type', 'sf on a field of unknown type', swap(s, '"@method"', '"@method" "host";sf'), 'signature_header_malformed'),
  ];
}

function policy(): Rfc9421NegativeVector[] {
  const min = sign('min', get(), KEYS.main, { components: ['@method', '@authority'] });
  const ct = req('GET', '/v1/me', [['Content-Type', 'text/plain']]);
  const noCt = sign('no-ct', ct, KEYS.main, { components: ['@method', '@authority', '@path', '@query'] });
  const bodiless = sign('bodiless', get());
  const s = sign('alg', get());
  const keyless = signRaw(get(), KEYS.main, 'sig1', ['@method', '@authority', '@path', '@query'], new Map([['created', NOW]]));
  return [
    negative('default-policy-path', 'The default policy requires @path and @query', received(min), 'header_not_signed'),
    negative('required-component', 'A component the verifier requires is not covered', received(bodiless), 'header_not_signed', { requiredComponents: ['@method', 'date'] }),
    negative('content-type-unsigned', 'content-type present but not covered', received(noCt), 'header_not_signed'),
    negative('body-added', 'Content added to a signed request without content', { ...received(bodiless), body: { utf8: 'x' } }, 'header_not_signed'),
    negative('alg-hmac-sha512', 'alg names an algorithm the key is not bound to', swap(s, 'alg="hmac-sha256"', 'alg="hmac-sha512"'), 'unsupported_algorithm'),
    negative('alg-rsa', 'alg names an asymmetric algorithm', swap(s, 'alg="hmac-sha256"', 'alg="rsa-pss-sha512"'), 'unsupported_algorithm'),
    negative('keyid-unknown', 'keyid the verifier does not know', received(s), 'key_unknown', {}, [KEYS.other]),
    negative('keyid-absent', 'No keyid: a lookup by keyid finds nothing', received(keyless), 'key_unknown'),
  ];
}

function content(): Rfc9421NegativeVector[] {
  const p = sign('content', post());
  const md5: Rfc9421VectorRequest = { ...post(), headers: [...post().headers, ['Content-Digest', 'md5=:Sd/dVLAcvNLSq16eXua5uQ==:']] };
  const onlyMd5 = signRaw(md5, KEYS.main, 'sig1', ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type'], new Map<string, string | number>([['created', NOW], ['keyid', 'client-1']]));
  const short: Rfc9421VectorRequest = { ...post(), headers: [...post().headers, ['Content-Digest', 'sha-256=:AAAA:']] };
  const truncated = signRaw(short, KEYS.main, 'sig1', ['@method', '@authority', '@path', '@query', 'content-digest', 'content-type'], new Map<string, string | number>([['created', NOW], ['keyid', 'client-1']]));
  return [
    negative('content-changed', 'Content changed after signing: Content-Digest mismatch', { ...received(p), body: { utf8: '{"qty":9}' } }, 'content_digest_mismatch'),
    negative('content-removed', 'Content removed after signing', { ...received(p), body: null }, 'content_digest_mismatch'),
    negative('content-digest-md5', 'A signed Content-Digest with no sha-256 or sha-512 member', received(onlyMd5), 'content_digest_mismatch'),
    negative('content-digest-short', 'A signed sha-256 digest of the wrong length', received(truncated), 'content_digest_mismatch'),
  ];
}

function tampering(): Rfc9421NegativeVector[] {
  const s = sign('tamper', req('GET', '/v1/items?id=1', [['X-Tenant', 'acme']]), KEYS.main, {
    components: ['@method', '@authority', '@path', '@query', '@scheme', 'x-tenant', '"@query-param";name="id"'],
  });
  const r = received(s);
  const set = (name: string, value: string): Rfc9421VectorRequest => ({ ...r, headers: r.headers.map(([n, v]) => [n, n === name ? value : v]) });
  const withHeaders = (headers: [string, string][]): Rfc9421VectorRequest => ({ ...r, headers });
  const mac = s.signature.slice(s.signature.indexOf(':'));
  const dict = sign('dict', req('GET', '/', [['Example-Dict', 'a=1, b=2']]), KEYS.main, { components: ['@method', '@authority', '@path', '@query', '"example-dict";key="a"'] });
  return [
    negative('tamper-method', 'Method changed', { ...r, method: 'DELETE' }, 'signature_invalid'),
    negative('tamper-path', 'Path changed', { ...r, target: '/v1/Items?id=1' }, 'signature_invalid'),
    negative('tamper-query', 'Query extended', { ...r, target: '/v1/items?id=1&admin=1' }, 'signature_invalid'),
    negative('tamper-authority', 'Host changed', set('Host', 'evil.example'), 'signature_invalid'),
    negative('tamper-scheme', 'Scheme changed', { ...r, scheme: 'http' }, 'signature_invalid'),
    negative('tamper-header', 'A covered header changed', set('X-Tenant', 'other'), 'signature_invalid'),
    negative('tamper-header-repeated', 'A covered header repeated', withHeaders([...r.headers, ['X-Tenant', 'acme']]), 'signature_invalid'),
    negative('tamper-params', 'A parameter added to Signature-Input', received(s, `${s.signatureInput};tag="x"`), 'signature_invalid'),
    negative('tamper-param-order', 'Parameters reordered', received(s, s.signatureInput.replace(/;created=(\d+);keyid="client-1"/, ';keyid="client-1";created=$1')), 'signature_invalid'),
    negative('wrong-key', 'Signed with a secret the verifier does not hold under that keyid', received(sign('forged', get(), KEYS.forged)), 'signature_invalid'),
    negative('mac-truncated', 'A MAC of 16 bytes', received(s, s.signatureInput, `sig1=:${Buffer.from(mac.slice(1, -1), 'base64').subarray(0, 16).toString('base64')}:`), 'signature_invalid'),
    negative('missing-header', 'A covered header removed', withHeaders(r.headers.filter(([n]) => n !== 'X-Tenant')), 'signed_header_missing'),
    negative('missing-query-param', 'A covered query parameter removed', { ...r, target: '/v1/items?idx=1' }, 'signed_header_missing'),
    negative('repeated-query-param', 'A covered query parameter repeated', { ...r, target: '/v1/items?id=1&id=2' }, 'signature_header_malformed'),
    negative('missing-dict-key', 'A covered dictionary key removed', { ...received(dict), headers: received(dict).headers.map(([n, v]) => [n, n === 'Example-Dict' ? 'b=2' : v]) }, 'signed_header_missing'),
    negative('non-ascii-value', 'A covered header with a non-ASCII value', set('X-Tenant', 'acm\u00e9'), 'header_value_invalid'),
    negative('two-hosts', 'Two Host lines: no single authority', withHeaders([...r.headers, ['Host', 'evil.example']]), 'target_invalid'),
    negative('bad-method', 'A method that is not a token', { ...r, method: 'GE T' }, 'method_invalid'),
    negative('bad-target', 'A target that is not origin-form', { ...r, target: 'v1/items?id=1' }, 'target_invalid'),
    negative('rfc-b25-default-policy', 'RFC 9421 B.2.5 under the default policy: @method is not covered', received(sign('b25', rfcRequest(), KEYS.rfc, { nonce: false, includeAlg: false, label: 'sig-b25', created: 1618884473, components: ['date', '@authority', 'content-type'] })), 'header_not_signed', {}, [KEYS.rfc]),
  ];
}

export function negativeVectors(): Rfc9421NegativeVector[] {
  return [...parsing(), ...policy(), ...content(), ...tampering()];
}
