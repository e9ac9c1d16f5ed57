// The v1 response cases (SPEC.md section 11). Each response is signed by
// core's signResponse with fixed keys, clock and request nonces; each
// negative one is then changed in one way (or verified as another request).
import { signRequest, signResponse, type Algorithm } from '../../packages/core/src/index.js';
import type { ResponseVector, ResponseVectorResponse } from '../../packages/core/src/response/vectors.js';
import type { VectorKey } from '../../packages/core/src/vectors.js';
import { binaryBody, bodyBytes, KEYS, nonceFor, NOW, pattern, req, toKey, toSigilRequest, TOLERANCE } from '../generator/fixtures.js';

type Positive = Extract<ResponseVector, { kind: 'positive' }>;
type Negative = Extract<ResponseVector, { kind: 'negative' }>;
type Lines = Array<[string, string]>;

/** The bound facts of a request signed under `key` with the nonce of `label`. */
export function boundRequest(label: string, key: VectorKey = KEYS.main, body = '{"qty":1}') {
  const request = toSigilRequest(req('POST', '/v1/orders', [['content-type', 'application/json']], { utf8: body }));
  const { params } = signRequest(request, toKey(key), { keyId: key.id, timestamp: NOW, nonce: nonceFor(`response:${label}`), headers: ['content-type'] });
  return { nonce: params.nonce, mac: params.mac };
}

const A = boundRequest('a');
const B = boundRequest('b');
/** The same nonce as A, another request (another body): another MAC. */
const A2 = { nonce: A.nonce, mac: boundRequest('a', KEYS.main, '{"qty":2}').mac };
const TS = NOW + 1;
const json = (text: string): ResponseVectorResponse['body'] => ({ utf8: text });

function res(status: number, headers: Lines = [['Content-Type', 'application/json']], body: ResponseVectorResponse['body'] = json('{"id":1}')): ResponseVectorResponse {
  return { status, headers, body };
}

interface Opts {
  key?: VectorKey;
  algorithm?: Algorithm;
  headers?: string[];
  timestamp?: number;
  request?: { nonce: string; mac: string };
}

function sign(response: ResponseVectorResponse, o: Opts = {}) {
  const key = o.key ?? KEYS.main;
  const r = signResponse({ status: response.status, headers: response.headers, body: bodyBytes(response.body) }, toKey(key), {
    request: o.request ?? A,
    keyId: key.id,
    timestamp: o.timestamp ?? TS,
    algorithm: o.algorithm ?? 'hmac-sha256',
    headers: o.headers ?? [],
  });
  return r;
}

function positive(id: string, title: string, response: ResponseVectorResponse, o: Opts = {}, verify?: Positive['verify']): Positive {
  const key = o.key ?? KEYS.main;
  const r = sign(response, o);
  return {
    id,
    title,
    kind: 'positive',
    key,
    request: o.request ?? A,
    response,
    params: { algorithm: o.algorithm ?? 'hmac-sha256', timestamp: o.timestamp ?? TS, headers: o.headers ?? [] },
    ...(verify ? { verify } : {}),
    expected: { canonical: r.canonical, mac: r.params.mac, header: r.header },
  };
}

export function positiveResponseVectors(): Positive[] {
  return [
    positive('response-basic', 'SPEC 11.2: a 201 JSON response; content-type signed because present', res(201)),
    positive('response-no-headers', 'SPEC 11.2: a 204 with no headers: empty h, no header lines, empty-body digest', res(204, [], null)),
    positive('response-location', 'SPEC 11.6: a redirect whose Location is signed (a client following it requires location)', res(302, [['Location', '/v1/orders/1'], ['Content-Type', 'text/plain']], json('moved')), { headers: ['Location'] }, {
      keys: [KEYS.main],
      policy: { now: TS, toleranceSeconds: TOLERANCE, requiredHeaders: ['location'] },
    }),
    positive('response-repeated-lines', 'SPEC 11.2 / 2.3: repeated field lines trimmed and joined with ", "', res(200, [['Content-Type', 'text/plain'], ['Cache-Control', ' no-store '], ['cache-control', '\tprivate']], json('ok')), { headers: ['cache-control'] }),
    positive('response-sha512', 'SPEC 11.3: hmac-sha512, an 86-character MAC', res(200), { key: KEYS.sha512, algorithm: 'hmac-sha512' }),
    positive('response-binary-body', 'SPEC 2.4: a body of every byte value, hashed as bytes', res(200, [['Content-Type', 'application/octet-stream']], binaryBody(pattern(256, 12)))),
    positive('response-status-edges-200', 'SPEC 11.2: status 200, the lowest final status signed', res(200, [], null)),
    positive('response-status-edges-599', 'SPEC 11.2: status 599, the highest', res(599, [], null)),
    positive('response-error-401', 'SPEC 11.5: a verifier failure answered to a request valid enough to bind to', res(401, [['Content-Type', 'application/json'], ['WWW-Authenticate', 'Sigil']], json('{"error":"nonce_replayed"}')), { headers: ['www-authenticate'] }),
    positive('response-rotation', 'SPEC 5: the client holds both secrets of a rotating id; the new one signed', res(200), { key: KEYS.rotNew, request: boundRequest('rot', KEYS.rotNew) }, {
      keys: [KEYS.rotOld, KEYS.rotNew],
      policy: { now: TS, toleranceSeconds: TOLERANCE, requiredHeaders: [] },
    }),
    positive('response-window-edge', 'SPEC 11.6 step 3: exactly toleranceSeconds old is accepted', res(200), {}, {
      keys: [KEYS.main],
      policy: { now: TS + TOLERANCE, toleranceSeconds: TOLERANCE, requiredHeaders: [] },
    }),
    positive('response-unsigned-extra', 'SPEC 11.1: headers that are not signed may be anything (bytes a signed value may not hold)', res(200, [['Content-Type', 'text/plain'], ['X-Trace', 'caf\u00e9\r\n']], json('ok'))),
  ];
}

const DEFAULT_POLICY = { now: TS, toleranceSeconds: TOLERANCE, requiredHeaders: [] as string[] };

function signedLines(response: ResponseVectorResponse, o: Opts = {}): Lines {
  return [...response.headers, ['Sigil-Response-Signature', sign(response, o).header]];
}

function negative(id: string, title: string, error: string, response: ResponseVectorResponse, more: Partial<Pick<Negative, 'keys' | 'request' | 'policy'>> = {}): Negative {
  return {
    id,
    title,
    kind: 'negative',
    keys: more.keys ?? [KEYS.main],
    request: more.request ?? A,
    response,
    policy: more.policy ?? DEFAULT_POLICY,
    expected: { error: error as Negative['expected']['error'] },
  };
}

/** A signed copy of `base` with `change` applied to the received response. */
function tampered(base: ResponseVectorResponse, change: (r: ResponseVectorResponse) => ResponseVectorResponse, o: Opts = {}): ResponseVectorResponse {
  return change({ ...base, headers: signedLines(base, o) });
}

const withHeader = (value: string) => (r: ResponseVectorResponse): ResponseVectorResponse => ({
  ...r,
  headers: r.headers.map(([n, v]) => [n, n === 'Sigil-Response-Signature' ? value : v] as [string, string]),
});
const header = sign(res(200)).header;

export function negativeResponseVectors(): Negative[] {
  const base = res(200);
  const loc = res(302, [['Location', '/v1/orders/1'], ['Content-Type', 'text/plain']], json('moved'));
  return [
    negative('response-missing', 'SPEC 11.6 step 1: a stripped signature (a downgrade to unsigned)', 'response_signature_missing', base),
    negative('response-two-lines', 'SPEC 11.3: two Sigil-Response-Signature lines', 'response_signature_malformed', tampered(base, (r) => ({ ...r, headers: [...r.headers, ['sigil-response-signature', header]] }))),
    negative('response-nonce-param', 'SPEC 11.3: a nonce parameter is unknown in a response signature', 'response_signature_malformed', tampered(base, withHeader(header.replace(';h=', ';nonce=AAAAAAAAAAAAAAAAAAAAAA;h=')))),
    negative('response-missing-param', 'SPEC 11.3: ts missing', 'response_signature_malformed', tampered(base, withHeader(header.replace(/;ts=\d+/, '')))),
    negative('response-h-unsorted', 'SPEC 11.3: h not strictly ascending', 'response_signature_malformed', tampered(base, withHeader(header.replace('h=content-type', 'h=x-a,content-type')))),
    negative('response-h-self', 'SPEC 11.3: h lists sigil-response-signature', 'response_signature_malformed', tampered(base, withHeader(header.replace('h=content-type', 'h=content-type,sigil-response-signature')))),
    negative('response-whitespace', 'SPEC 11.3: whitespace inside the value', 'response_signature_malformed', tampered(base, withHeader(header.replace(';h=', '; h=')))),
    negative('response-version', 'SPEC 11.3: v=2', 'unsupported_version', tampered(base, withHeader(header.replace('v=1', 'v=2')))),
    negative('response-algorithm', 'SPEC 11.3: alg=hmac-sha1', 'unsupported_algorithm', tampered(base, withHeader(header.replace('hmac-sha256', 'hmac-sha1')))),
    negative('response-too-old', 'SPEC 11.6 step 3: one second past the window', 'timestamp_out_of_window', tampered(base, (r) => r), { policy: { ...DEFAULT_POLICY, now: TS + TOLERANCE + 1 } }),
    negative('response-content-type-added', 'SPEC 11.6 step 4: a Content-Type added to a response signed without one', 'header_not_signed', tampered(res(200, [], json('ok')), (r) => ({ ...r, headers: [['Content-Type', 'text/html'], ...r.headers] }))),
    negative('response-location-unsigned', 'SPEC 11.6 step 4: the client requires location, the server did not sign it', 'header_not_signed', tampered(loc, (r) => r), { policy: { ...DEFAULT_POLICY, requiredHeaders: ['Location'] } }),
    negative('response-key-unknown', 'SPEC 11.6 step 5: no key with that id', 'key_unknown', tampered(base, (r) => r), { keys: [KEYS.other] }),
    negative('response-status-changed', 'SPEC 11.1: the status changed (200 signed, 201 delivered)', 'response_signature_invalid', tampered(base, (r) => ({ ...r, status: 201 }))),
    negative('response-status-interim', 'SPEC 11.2: a 1xx status is never verified', 'response_status_invalid', tampered(base, (r) => ({ ...r, status: 103 }))),
    negative('response-body-changed', 'SPEC 11.1: the body changed', 'response_signature_invalid', tampered(base, (r) => ({ ...r, body: json('{"id":2}') }))),
    negative('response-body-removed', 'SPEC 11.1: the body removed', 'response_signature_invalid', tampered(base, (r) => ({ ...r, body: null }))),
    negative('response-signed-header-changed', 'SPEC 11.1: a signed header changed (Location)', 'response_signature_invalid', tampered(loc, (r) => ({ ...r, headers: r.headers.map(([n, v]) => [n, n === 'Location' ? 'https://evil.example/' : v] as [string, string]) }), { headers: ['location'] })),
    negative('response-signed-header-removed', 'SPEC 11.6 step 6: a signed header removed', 'signed_header_missing', tampered(loc, (r) => ({ ...r, headers: r.headers.filter(([n]) => n !== 'Location') }), { headers: ['location'] })),
    negative('response-signed-header-invalid', 'SPEC 11.2 / 2.3: a signed header value with CR LF', 'header_value_invalid', tampered(loc, (r) => ({ ...r, headers: r.headers.map(([n, v]) => [n, n === 'Location' ? '/a\r\nSet-Cookie: x' : v] as [string, string]) }), { headers: ['location'] })),
    negative('response-other-request', 'SPEC 11.1: a response to request A delivered for request B (another nonce, another MAC)', 'response_signature_invalid', tampered(base, (r) => r), { request: B }),
    negative('response-same-nonce-other-mac', 'SPEC 11.1: bound to the nonce alone it could move; the request MAC is bound too', 'response_signature_invalid', tampered(base, (r) => r), { request: A2 }),
    negative('response-wrong-key', 'SPEC 11.3: signed with a secret the client does not hold under that id', 'response_signature_invalid', tampered(base, (r) => r, { key: KEYS.mainForged })),
    negative('response-mac-truncated', 'SPEC 11.3: a truncated MAC is a failed comparison', 'response_signature_invalid', tampered(base, withHeader(header.slice(0, -1)))),
    negative('response-request-mac-as-response', "SPEC 11.2: the request's own MAC presented as the response MAC", 'response_signature_invalid', tampered(base, withHeader(header.replace(/mac=[A-Za-z0-9_-]+$/, `mac=${A.mac}`)))),
  ];
}
