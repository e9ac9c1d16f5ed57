// Negative vectors for SPEC.md section 4 steps 2-5: signature in the query,
// the number of Sigil-Signature field lines, the header grammar (section
// 3.2) and the timestamp window. Each request is signed by core first and
// then damaged in exactly one way, so the expected code is the only failure.
import type { NegativeVector, VectorRequest } from '../../packages/core/src/vectors.js';
import type { SigilErrorCode } from '../../packages/core/src/errors.js';
import { getParam, negative, setParam, signed, withSignature, type PolicySpec } from './build.js';
import { KEYS, NOW, TOLERANCE, req } from './fixtures.js';

const ORDER = () => req('POST', '/v1/orders', [['content-type', 'application/json']], { utf8: '{"sku":"A-1","qty":2}' });

/** The base request signed (content-type covered), ready to have its header changed. */
function base(id: string): { header: string; request: VectorRequest } {
  return { header: signed(id, ORDER(), { headers: ['content-type'] }).header, request: ORDER() };
}

/** A malformed-header case: `change` turns the valid header into the one received. */
function bad(
  id: string,
  title: string,
  change: (header: string) => string,
  error: SigilErrorCode = 'signature_header_malformed',
  policy: PolicySpec = {},
): NegativeVector {
  const { header, request } = base(id);
  return negative(id, title, withSignature(request, change(header)), error, policy);
}

function queryAndLines(): NegativeVector[] {
  const inQuery = (id: string, title: string, target: string) =>
    negative(id, title, signed(id, req('GET', target)).received, 'signature_in_query');
  const { header, request } = base('lines');
  return [
    inQuery('query-sigil-signature-param', 'A sigil-signature query parameter (SPEC 4 step 2)', '/x?sigil-signature=v%3D1'),
    inQuery('query-sigil-signature-encoded-name', 'The parameter name percent-encoded and in mixed case (SPEC 4 step 2)', '/x?a=1&Sigil%2DSignature=1'),
    inQuery('query-kid-and-mac', 'Both kid and mac query parameters (SPEC 4 step 2)', '/x?kid=client-1&mac=abc'),
    inQuery('query-value-holds-kid-and-mac', 'A query value holding "kid=" and "mac=" (SPEC 4 step 2)', '/x?q=kid%3Dk%3Bmac%3Dm'),
    inQuery('query-kid-and-mac-uppercase-names', 'Names are compared after ASCII lowercasing: KID and Mac (SPEC 4 step 2)', '/x?KID=client-1&Mac=abc'),
    inQuery('query-names-encoded-plus', 'Names percent-decoded with "+" as a space: k%69d and %6D%61c (SPEC 4 step 2)', '/x?k%69d=1&%6D%61c=2'),
    inQuery(
      'query-kid-and-mac-with-non-utf8-value',
      'kid and mac names decode; the mac value %FF is not UTF-8 and stays as it is, which does not matter (SPEC 4 step 2)',
      '/x?kid=client-1&mac=%FF',
    ),
    negative(
      'query-checked-before-header',
      'The query check comes before the header count: no header at all still gives signature_in_query (SPEC 4)',
      req('GET', '/x?sigil-signature=1'),
      'signature_in_query',
    ),
    negative('signature-absent', 'No Sigil-Signature field line (SPEC 3.1)', request, 'signature_missing'),
    negative(
      'signature-under-other-name',
      'The value sent under Signature and X-Sigil-Signature, never Sigil-Signature (SPEC 3.1)',
      withSignature(withSignature(request, header, 'Signature'), header, 'X-Sigil-Signature'),
      'signature_missing',
    ),
    negative(
      'signature-two-field-lines',
      'Two Sigil-Signature field lines, even identical ones (SPEC 3.1)',
      withSignature(withSignature(request, header), header, 'sigil-signature'),
      'signature_header_malformed',
    ),
  ];
}

const NAMES_31 = Array.from({ length: 31 }, (_, i) => `x-${String(i).padStart(2, '0')}`);

/** Malformed values of one parameter: [id suffix, title, parameter, value received]. */
const BAD_VALUES: Array<[string, string, string, string]> = [
  ['too-long', 'A value of more than 4096 characters (SPEC 3.2)', 'kid', 'k'.repeat(4100)],
  ['v-not-digits', 'v=1a (SPEC 3.2 v-param)', 'v', '1a'],
  ['v-too-long', 'v=0001: more than 3 digits (SPEC 3.2 v-param)', 'v', '0001'],
  ['alg-uppercase', 'alg=HMAC-SHA256: uppercase is outside the alg characters (SPEC 3.2)', 'alg', 'HMAC-SHA256'],
  ['alg-underscore', 'alg=hmac_sha256 (SPEC 3.2 alg-param)', 'alg', 'hmac_sha256'],
  ['kid-empty', 'kid= with an empty value (SPEC 3.2)', 'kid', ''],
  ['kid-slash', 'kid with "/" (SPEC 3.2 kid-param)', 'kid', 'client/1'],
  ['kid-non-ascii', 'kid with a non-ASCII letter (SPEC 3.2 kid-param)', 'kid', 'cli\u00e9nt-1'],
  ['kid-too-long', 'kid of 129 characters (SPEC 3.3)', 'kid', 'k'.repeat(129)],
  ['ts-leading-zero', 'ts with a leading zero (SPEC 3.2 ts-param)', 'ts', `0${NOW}`],
  ['ts-negative', 'ts=-1 (SPEC 3.2 ts-param)', 'ts', '-1'],
  ['ts-plus-sign', 'ts with a "+" sign (SPEC 3.2 ts-param)', 'ts', `+${NOW}`],
  ['ts-exponent', 'ts=1.7e9 (SPEC 3.2 ts-param)', 'ts', '1.7e9'],
  ['ts-13-digits', 'ts of 13 digits, e.g. milliseconds (SPEC 3.3)', 'ts', `${NOW}000`],
  ['nonce-standard-base64', 'nonce with "+" and "/" (SPEC 3.2 nonce-param)', 'nonce', 'AAECAwQFBgcICQoLDA0O+/'],
  ['nonce-padded', 'nonce with "=" padding (SPEC 3.2 nonce-param)', 'nonce', 'AAECAwQFBgcICQoLDA0ODw=='],
  ['nonce-too-short', 'nonce of 21 characters (SPEC 3.3)', 'nonce', 'AAECAwQFBgcICQoLDA0OD'],
  ['nonce-too-long', 'nonce of 129 characters (SPEC 3.3)', 'nonce', 'n'.repeat(129)],
  ['mac-empty', 'mac= with an empty value (SPEC 3.2)', 'mac', ''],
  ['mac-too-long', 'mac of 129 characters (SPEC 3.2 mac-param)', 'mac', 'A'.repeat(129)],
  ['h-unsorted', 'h not in ascending order (SPEC 3.2)', 'h', 'host,content-type'],
  ['h-duplicate', 'h lists a name twice (SPEC 3.2)', 'h', 'content-type,content-type,host'],
  ['h-uppercase', 'h with an uppercase name (SPEC 3.2 lc-token)', 'h', 'Content-Type,host'],
  ['h-lists-sigil-signature', 'h lists sigil-signature (SPEC 3.2)', 'h', 'content-type,host,sigil-signature'],
  ['h-empty', 'h= with no names (SPEC 3.2)', 'h', ''],
  ['h-empty-name', 'h with an empty name between commas (SPEC 3.2)', 'h', 'content-type,,host'],
  ['h-space', 'h with a space after a comma (SPEC 3.2)', 'h', 'content-type, host'],
  ['h-bad-character', 'h with a name holding "/" (SPEC 3.2 lc-token)', 'h', 'content-type,host,x/y'],
  ['h-name-too-long', 'h with a 65-character name (SPEC 3.2 lc-token)', 'h', `content-type,host,${'x'.repeat(65)}`],
  ['h-33-names', 'h with 33 names (SPEC 3.2)', 'h', ['content-type', 'host', ...NAMES_31].join(',')],
];

function grammar(): NegativeVector[] {
  const drop = (name: string) => (h: string) => h.split(';').filter((p) => !p.startsWith(`${name}=`)).join(';');
  return [
    bad('malformed-combined-by-proxy', 'Two values combined into one line with ", " by a proxy (SPEC 3.1)', (h) => `${h}, ${h}`),
    bad('malformed-empty-value', 'An empty value (SPEC 3.2)', () => ''),
    bad('malformed-whitespace-only', 'A value of only SP and HTAB (SPEC 3.2)', () => ' \t '),
    bad('malformed-trailing-lf', 'A trailing LF: only SP and HTAB are trimmed (SPEC 3.2)', (h) => `${h}\n`),
    bad('malformed-leading-vertical-tab', 'A leading vertical tab (0x0b): not trimmed (SPEC 3.2)', (h) => `\u000b${h}`),
    bad('malformed-trailing-nbsp', 'A trailing U+00A0: not trimmed (SPEC 3.2)', (h) => `${h}\u00a0`),
    bad('malformed-space-after-semicolon', 'Whitespace after ";" (SPEC 3.2: no whitespace anywhere)', (h) => h.replaceAll(';', '; ')),
    bad('malformed-space-around-equals', 'Whitespace around "=" (SPEC 3.2)', (h) => h.replace('kid=', 'kid = ')),
    bad('malformed-tab-inside-mac', 'A tab inside the mac value (SPEC 3.2)', (h) => setParam(h, 'mac', `${getParam(h, 'mac').slice(0, 20)}\t${getParam(h, 'mac').slice(20)}`)),
    bad('malformed-duplicate-param', 'kid twice with the same value (SPEC 3.2)', (h) => `${h};kid=${KEYS.main.id}`),
    bad('malformed-duplicate-mac', 'mac twice (SPEC 3.2)', (h) => `${h};mac=${getParam(h, 'mac')}`),
    bad('malformed-unknown-param', 'An unknown parameter x=1 (SPEC 3.2)', (h) => `${h};x=1`),
    bad('malformed-param-name-uppercase', 'Parameter names are case-sensitive: KID is unknown (SPEC 3.2)', (h) => h.replace('kid=', 'KID=')),
    bad('malformed-param-without-equals', 'A part without "=" (SPEC 3.2)', (h) => `${h};flag`),
    bad('malformed-empty-param-name', 'A part with an empty name (SPEC 3.2)', (h) => `${h};=1`),
    bad('malformed-trailing-semicolon', 'A trailing ";" (SPEC 3.2)', (h) => `${h};`),
    bad('malformed-leading-semicolon', 'A leading ";" (SPEC 3.2)', (h) => `;${h}`),
    ...(['v', 'alg', 'kid', 'ts', 'nonce', 'h', 'mac'] as const).map((name) =>
      bad(`malformed-missing-${name}`, `The ${name} parameter missing (SPEC 3.2)`, drop(name)),
    ),
    bad('malformed-mac-standard-base64', 'mac with "+" and "/" (SPEC 3.2 mac-param)', (h) => setParam(h, 'mac', `${getParam(h, 'mac').slice(0, 41)}+/`)),
    bad('malformed-mac-padded', 'mac with "=" padding (SPEC 3.2 mac-param)', (h) => `${h}=`),
    ...BAD_VALUES.map(([id, title, name, value]) => bad(`malformed-${id}`, title, (h) => setParam(h, name, value))),
  ];
}

function versionAndAlgorithm(): NegativeVector[] {
  return [
    bad('version-2', 'v=2 (SPEC 3.2)', (h) => setParam(h, 'v', '2'), 'unsupported_version'),
    bad('version-0', 'v=0 (SPEC 3.2)', (h) => setParam(h, 'v', '0'), 'unsupported_version'),
    bad('version-01', 'v=01: digits, but not the value "1" (SPEC 3.2)', (h) => setParam(h, 'v', '01'), 'unsupported_version'),
    bad('algorithm-hmac-sha1', 'alg=hmac-sha1 (SPEC 3.2)', (h) => setParam(h, 'alg', 'hmac-sha1'), 'unsupported_algorithm'),
    bad('algorithm-hmac-sha384', 'alg=hmac-sha384 (SPEC 3.2)', (h) => setParam(h, 'alg', 'hmac-sha384'), 'unsupported_algorithm'),
    bad('algorithm-none', 'alg=none (SPEC 3.2)', (h) => setParam(h, 'alg', 'none'), 'unsupported_algorithm'),
    bad('algorithm-rsa', 'alg=rsa-pss-sha512, an asymmetric algorithm (SPEC 3.2)', (h) => setParam(h, 'alg', 'rsa-pss-sha512'), 'unsupported_algorithm'),
    bad(
      'order-malformed-before-version',
      'A duplicate parameter is reported before v=2 (SPEC 3.2 check order)',
      (h) => `${setParam(h, 'v', '2')};kid=x`,
    ),
    bad(
      'order-version-before-algorithm',
      'v=2 with alg=hmac-sha1 is unsupported_version (SPEC 3.2 check order)',
      (h) => setParam(setParam(h, 'v', '2'), 'alg', 'hmac-sha1'),
      'unsupported_version',
    ),
    bad(
      'order-algorithm-before-h-rules',
      'alg=hmac-sha1 with an unsorted h is unsupported_algorithm (SPEC 3.2 check order)',
      (h) => setParam(setParam(h, 'alg', 'hmac-sha1'), 'h', 'host,content-type'),
      'unsupported_algorithm',
    ),
  ];
}

function timestamps(): NegativeVector[] {
  const tampered = (request: VectorRequest): VectorRequest => ({ ...request, body: { utf8: '{"sku":"A-1","qty":9}' } });
  const stale = signed('timestamp-far-past', ORDER(), { timestamp: 0, headers: ['content-type'] });
  return [
    bad('timestamp-stale', `ts ${TOLERANCE + 1} s before the verifier clock (SPEC 4 step 5)`, (h) => h, 'timestamp_out_of_window', {
      now: NOW + TOLERANCE + 1,
    }),
    bad('timestamp-future', `ts ${TOLERANCE + 1} s after the verifier clock (SPEC 4 step 5)`, (h) => h, 'timestamp_out_of_window', {
      now: NOW - TOLERANCE - 1,
    }),
    bad('timestamp-zero-tolerance', 'toleranceSeconds 0 and a clock one second ahead (SPEC 4 step 5)', (h) => h, 'timestamp_out_of_window', {
      now: NOW + 1,
      toleranceSeconds: 0,
    }),
    negative('timestamp-far-past', 'ts=0 against a 2023 clock (SPEC 4 step 5)', stale.received, 'timestamp_out_of_window'),
    negative(
      'timestamp-edge-stale-passes',
      `ts exactly ${TOLERANCE} s old passes the window; the tampered body then fails the MAC (SPEC 4 step 5: abs(now - ts) <= tolerance)`,
      tampered(signed('timestamp-edge-stale-passes', ORDER(), { headers: ['content-type'] }).received),
      'signature_invalid',
      { now: NOW + TOLERANCE },
    ),
    negative(
      'timestamp-edge-future-passes',
      `ts exactly ${TOLERANCE} s ahead passes the window; the tampered body then fails the MAC (SPEC 4 step 5)`,
      tampered(signed('timestamp-edge-future-passes', ORDER(), { headers: ['content-type'] }).received),
      'signature_invalid',
      { now: NOW - TOLERANCE },
    ),
    bad(
      'order-timestamp-before-coverage',
      'A stale ts is reported before a required header that is not signed (SPEC 4 order)',
      (h) => h,
      'timestamp_out_of_window',
      { now: NOW + TOLERANCE + 1, requiredHeaders: ['x-tenant'] },
    ),
  ];
}

/** Negative vectors of SPEC.md section 4 steps 2-5. */
export function negativeHeaderVectors(): NegativeVector[] {
  return [...queryAndLines(), ...grammar(), ...versionAndAlgorithm(), ...timestamps()];
}
