// Negative vectors for SPEC.md section 4 steps 6-9: coverage, key lookup,
// body limit and the canonical string's own checks. Each request is signed by
// core, then damaged in exactly one way.
import type { NegativeVector, VectorRequest } from '../../packages/core/src/vectors.js';
import { negative, signWithoutHost, signed } from './build.js';
import { KEYS, req } from './fixtures.js';

const JSON_TYPE: [string, string] = ['content-type', 'application/json'];
const ORDER = (extra: Array<[string, string]> = []) =>
  req('POST', '/v1/orders', [JSON_TYPE, ...extra], { utf8: '{"sku":"A-1","qty":2}' });

/** Replaces the value of the first field line named `name` (any case). */
export function replaceHeader(request: VectorRequest, name: string, value: string): VectorRequest {
  let done = false;
  const headers = request.headers.map(([n, v]): [string, string] => {
    if (done || n.toLowerCase() !== name) return [n, v];
    done = true;
    return [n, value];
  });
  if (!done) throw new Error(`generator bug: no header ${name}`);
  return { ...request, headers };
}

function coverage(): NegativeVector[] {
  const order = signed('coverage', ORDER(), {});
  return [
    negative('coverage-required-header-not-signed', 'content-type required but only host signed (SPEC 4 step 6)', order.received, 'header_not_signed', {
      requiredHeaders: ['content-type'],
    }),
    negative(
      'coverage-required-header-any-case',
      'A required header named in uppercase by the policy and not signed (SPEC 4 step 6)',
      order.received,
      'header_not_signed',
      { requiredHeaders: ['Content-Type'] },
    ),
    negative(
      'coverage-required-absent-header',
      'A required header the request does not carry is still a coverage failure (SPEC 4 step 6)',
      signed('coverage-absent', ORDER(), { headers: ['content-type'] }).received,
      'header_not_signed',
      { requiredHeaders: ['content-type', 'x-tenant'] },
    ),
    negative('coverage-host-not-signed', 'h=content-type: host is always required (SPEC 4 step 6)', signWithoutHost('coverage-host', ORDER(), ['content-type']), 'header_not_signed'),
    negative(
      'order-coverage-before-key',
      'host not signed under an unknown kid: coverage is checked before the key (SPEC 4 order)',
      signWithoutHost('order-coverage', ORDER(), ['content-type']),
      'header_not_signed',
      { keys: [KEYS.other] },
    ),
  ];
}

/** SPEC 4 step 6, content rule: a Content-Type with declared content must be signed. */
function contentTypeCoverage(): NegativeVector[] {
  const size = String(new TextEncoder().encode('{"sku":"A-1","qty":2}').length);
  const unsigned = (id: string, title: string, framing: Array<[string, string]>) =>
    negative(id, title, signed(id, ORDER(framing), {}).received, 'header_not_signed');
  return [
    unsigned('coverage-content-type-unsigned-content-length', `Content-Type and Content-Length: ${size}, only host signed (SPEC 4 step 6, content rule)`, [
      ['Content-Length', size],
    ]),
    unsigned('coverage-content-type-unsigned-chunked', 'Content-Type and Transfer-Encoding: chunked, only host signed (SPEC 4 step 6, content rule)', [
      ['Transfer-Encoding', 'chunked'],
    ]),
    unsigned(
      'coverage-content-type-unsigned-conflicting-content-length',
      `Two Content-Length lines (${size}, 1): unreadable, so it declares content; content-type unsigned (SPEC 4 steps 6 and 8)`,
      [['Content-Length', size], ['Content-Length', '1']],
    ),
    unsigned('coverage-content-type-unsigned-malformed-content-length', 'Content-Length: +21 is malformed, so it declares content; content-type unsigned (SPEC 4 steps 6 and 8)', [
      ['Content-Length', '+21'],
    ]),
    negative(
      'order-content-type-coverage-before-key',
      'content-type unsigned with declared content under an unknown kid: coverage is checked before the key (SPEC 4 order)',
      signed('order-content-type', ORDER([['Content-Length', size]]), {}).received,
      'header_not_signed',
      { keys: [KEYS.other] },
    ),
  ];
}

function keysAndBody(): NegativeVector[] {
  const order = signed('keys', ORDER(), { headers: ['content-type'] });
  const size = new TextEncoder().encode('{"sku":"A-1","qty":2}').length;
  return [
    negative('key-unknown-id', 'A kid the verifier has no key for (SPEC 4 step 7)', order.received, 'key_unknown', { keys: [KEYS.other] }),
    negative(
      'key-id-case-sensitive',
      'kid=client-1 against a key set holding Client-1: ids are case-sensitive (SPEC 4 step 7)',
      order.received,
      'key_unknown',
      { keys: [{ ...KEYS.main, id: 'Client-1' }] },
    ),
    negative('key-set-empty', 'A verifier with no keys at all (SPEC 4 step 7)', order.received, 'key_unknown', { keys: [] }),
    negative('body-too-large', `A ${size}-byte body against maxBodyBytes ${size - 1} (SPEC 4 step 8)`, order.received, 'body_too_large', {
      maxBodyBytes: size - 1,
    }),
    negative(
      'body-at-limit-passes',
      `A ${size}-byte body at maxBodyBytes ${size} passes; its tampered query then fails the MAC (SPEC 4 step 8)`,
      { ...order.received, target: '/v1/orders?x=1' },
      'signature_invalid',
      { maxBodyBytes: size },
    ),
    negative(
      'order-body-before-key-unknown',
      'An unknown kid with a body over the limit is body_too_large: an unknown kid is answered as a known one with a bad MAC (SPEC 4 step 7)',
      order.received,
      'body_too_large',
      { keys: [KEYS.other], maxBodyBytes: 1 },
    ),
    negative(
      'order-canonical-before-key-unknown',
      'An unknown kid with a signed header missing is signed_header_missing: key_unknown is decided at step 10 (SPEC 4 step 7)',
      { ...order.received, headers: order.received.headers.filter(([name]) => name.toLowerCase() !== 'content-type') },
      'signed_header_missing',
      { keys: [KEYS.other] },
    ),
    negative(
      'order-body-before-canonical',
      'A body over the limit with an invalid method is body_too_large (SPEC 4 order)',
      { ...order.received, method: 'GE T' },
      'body_too_large',
      { maxBodyBytes: 1 },
    ),
  ];
}

function canonicalChecks(): NegativeVector[] {
  const withNote = signed('canonical', ORDER([['x-note', 'ok']]), { headers: ['content-type', 'x-note'] });
  const note = (id: string, title: string, value: string) =>
    negative(id, title, replaceHeader(withNote.received, 'x-note', value), 'header_value_invalid');
  const method = (id: string, title: string, value: string) =>
    negative(id, title, { ...withNote.received, method: value }, 'method_invalid');
  const target = (id: string, title: string, value: string) =>
    negative(id, title, { ...withNote.received, target: value }, 'target_invalid');
  const missing = withNote.received.headers.filter(([name]) => name !== 'x-note');
  /** The signed header `invalid` given an LF, the one named `absent` dropped. */
  const invalidAndMissing = (invalid: string, absent: string): VectorRequest => {
    const changed = replaceHeader(withNote.received, invalid, 'o\nk');
    return { ...changed, headers: changed.headers.filter(([name]) => name !== absent) };
  };
  return [
    negative('signed-header-missing', 'h lists x-note; the request has no x-note line (SPEC 2.3 rule 1)', { ...withNote.received, headers: missing }, 'signed_header_missing'),
    negative(
      'signed-header-missing-similar-name',
      'h lists x-note; the request only has x-notes (SPEC 2.3 rule 1)',
      { ...withNote.received, headers: [...missing, ['x-notes', 'ok']] },
      'signed_header_missing',
    ),
    note('header-value-cr', 'CR inside a signed value (SPEC 2.3 rule 4)', 'o\rk'),
    note('header-value-lf', 'LF inside a signed value (SPEC 2.3 rule 4)', 'o\nk'),
    note('header-value-crlf-injection', 'CRLF injecting a canonical line "x-admin:1" (SPEC 2.3 rule 4)', 'ok\r\nx-admin:1'),
    note('header-value-lf-canonical-injection', 'LF injecting a forged body digest line (SPEC 2.5)', `ok\n${'0'.repeat(64)}`),
    note('header-value-nul', 'NUL inside a signed value (SPEC 2.3 rule 4)', 'o\u0000k'),
    note('header-value-del', 'DEL (0x7f) inside a signed value (SPEC 2.3 rule 4)', 'o\u007fk'),
    note('header-value-control', 'A control character (0x01) inside a signed value (SPEC 2.3 rule 4)', 'o\u0001k'),
    note('header-value-non-ascii', 'A non-ASCII character inside a signed value (SPEC 2.3 rule 4)', 'caf\u00e9'),
    note('header-value-trailing-lf', 'A trailing LF: only SP and HTAB are trimmed (SPEC 2.3 rule 2)', 'ok\n'),
    note('header-value-leading-cr', 'A leading CR: only SP and HTAB are trimmed (SPEC 2.3 rule 2)', '\rok'),
    note('header-value-trailing-vertical-tab', 'A trailing vertical tab (0x0b): not trimmed, forbidden (SPEC 2.3)', 'ok\u000b'),
    note('header-value-trailing-nbsp', 'A trailing U+00A0: not trimmed, forbidden (SPEC 2.3)', 'ok\u00a0'),
    note('header-value-too-long', 'A signed value of 8193 characters (SPEC 2.3 rule 4)', 'v'.repeat(8193)),
    negative(
      'header-value-invalid-in-second-line',
      'The forbidden byte is in the second field line of a signed name (SPEC 2.3 rule 4)',
      { ...withNote.received, headers: [...withNote.received.headers, ['X-Note', 'a\nb']] },
      'header_value_invalid',
    ),
    negative(
      'header-value-invalid-host',
      'LF inside the host value (SPEC 2.3 rule 4)',
      replaceHeader(withNote.received, 'host', 'api.example.com\nx'),
      'header_value_invalid',
    ),
    negative(
      'order-method-before-target',
      'An invalid method and an invalid target: method_invalid (SPEC 4 step 9 order)',
      { ...withNote.received, method: 'GE T', target: 'v1/orders' },
      'method_invalid',
    ),
    negative(
      'order-target-before-headers',
      'An invalid target and a missing signed header: target_invalid (SPEC 4 step 9 order)',
      { ...withNote.received, target: 'v1/orders', headers: missing },
      'target_invalid',
    ),
    negative(
      'order-headers-in-h-order-missing-first',
      'h=content-type,x-note: content-type missing, x-note invalid: the first name of h decides, signed_header_missing (SPEC 4 step 9 order)',
      invalidAndMissing('x-note', 'content-type'),
      'signed_header_missing',
    ),
    negative(
      'order-headers-in-h-order-invalid-first',
      'h=content-type,x-note: content-type invalid, x-note missing: the first name of h decides, header_value_invalid (SPEC 4 step 9 order)',
      invalidAndMissing('content-type', 'x-note'),
      'header_value_invalid',
    ),
    method('method-empty', 'An empty method (SPEC 2.2)', ''),
    method('method-space', 'A method with a space (SPEC 2.2)', 'GE T'),
    method('method-lf', 'A method with LF (SPEC 2.2)', 'POST\n'),
    method('method-non-ascii', 'A method with a non-ASCII letter (SPEC 2.2)', 'P\u00d6ST'),
    method('method-separator', 'A method with "/" (SPEC 2.2: token characters only)', 'POST/1'),
    method('method-too-long', 'A method of 33 characters (SPEC 2.2)', 'X'.repeat(33)),
    target('target-empty', 'An empty target (SPEC 2.2)', ''),
    target('target-no-leading-slash', 'A target without the leading "/" (SPEC 2.2)', 'v1/orders'),
    target('target-absolute-form', 'An absolute-form target (SPEC 2.2: origin-form only)', 'https://api.example.com/v1/orders'),
    target('target-asterisk', 'The asterisk-form target "*" (SPEC 2.2)', '*'),
    target('target-space', 'A raw space in the target (SPEC 2.2)', '/v1/my orders'),
    target('target-fragment', 'A "#" fragment in the target (SPEC 2.2)', '/v1/orders#top'),
    target('target-raw-utf8', 'A raw non-ASCII character in the target (SPEC 2.2)', '/caf\u00e9'),
    target('target-lf', 'LF in the target (SPEC 2.2)', '/v1/orders\nhost,x'),
    target('target-tab', 'HTAB in the target (SPEC 2.2)', '/v1/\torders'),
    target('target-del', 'DEL in the target (SPEC 2.2)', '/v1/orders\u007f'),
    target('target-too-long', 'A target of 8193 characters (SPEC 2.2)', `/${'a'.repeat(8192)}`),
  ];
}

/** Negative vectors of SPEC.md section 4 steps 6-9. */
export function negativeRequestVectors(): NegativeVector[] {
  return [...coverage(), ...contentTypeCoverage(), ...keysAndBody(), ...canonicalChecks()];
}

