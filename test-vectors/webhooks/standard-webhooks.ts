// Standard Webhooks vectors: the specification's published example, then
// generated deliveries (rotation, skipped versions, edges of the window) and
// one change each for the negatives.
import { base64Encode, hexDecode, hexEncode } from '../../packages/core/src/lib/encoding.js';
import { signStandardWebhook } from '../../packages/core/src/webhooks/standard-webhooks.js';
import type { WebhookNegativeVector, WebhookPositiveVector } from '../../packages/core/src/webhooks/vectors.js';
import { BINARY_BODY, header, hmacHex, JSON_BODY, lines, negative, NOW, positive, SW_OLD_SECRET, SW_PUBLISHED_SECRET, SW_SECRET, utf8, withHeader, type Delivery } from './fixtures.js';

const SPEC_URL = 'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md';
const scheme = 'standard-webhooks' as const;

function sw(body: Uint8Array | string, secrets: readonly string[], opts: { id?: string; timestamp?: number } = {}): Delivery {
  const bytes = typeof body === 'string' ? utf8(body) : body;
  const signed = signStandardWebhook({ id: opts.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp: opts.timestamp ?? NOW, body: bytes, secrets });
  return { headers: lines(signed), body: bytes };
}

const ONE = sw(JSON_BODY, [SW_SECRET]);
const SIG = header(ONE, 'webhook-signature');
const OLD_SIG = header(sw(JSON_BODY, [SW_OLD_SECRET]), 'webhook-signature');
const BAD_SIG = `v1,${base64Encode(new Uint8Array(32).fill(0x42))}`;

export function standardWebhooksPositive(): WebhookPositiveVector[] {
  const published: Delivery = {
    headers: [
      ['webhook-id', 'msg_p5jXN8AQM9LWM0D4loKWxJek'],
      ['webhook-timestamp', '1614265330'],
      ['webhook-signature', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='],
    ],
    body: utf8('{"test": 2432232314}'),
  };
  return [
    positive({ id: 'sw-published-example', title: `Standard Webhooks: the specification's example delivery (${SPEC_URL}, also in every reference library's tests)`, source: SPEC_URL, scheme, secrets: [SW_PUBLISHED_SECRET], delivery: published, now: 1614265330 }),
    positive({ id: 'sw-json-body', title: 'Standard Webhooks: a JSON body with non-ASCII characters, one v1 entry', scheme, secrets: [SW_SECRET], delivery: ONE, now: NOW }),
    positive({ id: 'sw-binary-body', title: 'Standard Webhooks: a body that is not UTF-8 is MACed as raw bytes', scheme, secrets: [SW_SECRET], delivery: sw(BINARY_BODY, [SW_SECRET]), now: NOW }),
    positive({ id: 'sw-empty-body', title: 'Standard Webhooks: an empty body signs "id.timestamp."', scheme, secrets: [SW_SECRET], delivery: sw(new Uint8Array(0), [SW_SECRET]), now: NOW }),
    positive({ id: 'sw-rotation-two-entries', title: 'Standard Webhooks: a sender mid-rotation signs with old and new secret; the verifier holds only the new one', scheme, secrets: [SW_SECRET], delivery: sw(JSON_BODY, [SW_OLD_SECRET, SW_SECRET]), now: NOW }),
    positive({ id: 'sw-rotation-second-secret', title: 'Standard Webhooks: the verifier holds [new, old]; a delivery signed with the old one matches secret 1', scheme, secrets: [SW_SECRET, SW_OLD_SECRET], delivery: sw(JSON_BODY, [SW_OLD_SECRET]), now: NOW }),
    positive({ id: 'sw-unknown-version-skipped', title: 'Standard Webhooks: v1a (asymmetric) and v2 entries are skipped, the v1 entry verifies', scheme, secrets: [SW_SECRET], delivery: withHeader(ONE, 'webhook-signature', `v1a,${'A'.repeat(86)}== v2,${'B'.repeat(43)}= ${SIG}`), now: NOW }),
    positive({ id: 'sw-good-then-bad', title: 'Standard Webhooks: one good and one bad v1 entry: accepted', scheme, secrets: [SW_SECRET], delivery: withHeader(ONE, 'webhook-signature', `${SIG} ${BAD_SIG}`), now: NOW }),
    positive({ id: 'sw-bad-then-good', title: 'Standard Webhooks: one bad and then one good v1 entry: accepted', scheme, secrets: [SW_SECRET], delivery: withHeader(ONE, 'webhook-signature', `${BAD_SIG} ${SIG}`), now: NOW }),
    positive({ id: 'sw-window-past-edge', title: 'Standard Webhooks: a timestamp exactly 300 s old is inside the window', scheme, secrets: [SW_SECRET], delivery: ONE, now: NOW + 300 }),
    positive({ id: 'sw-window-future-edge', title: 'Standard Webhooks: a timestamp exactly 300 s ahead is inside the window', scheme, secrets: [SW_SECRET], delivery: ONE, now: NOW - 300 }),
    positive({ id: 'sw-custom-tolerance', title: 'Standard Webhooks: toleranceSeconds 3600 accepts a delivery an hour old', scheme, secrets: [SW_SECRET], delivery: ONE, now: NOW + 3600, toleranceSeconds: 3600 }),
    positive({ id: 'sw-header-names-any-case', title: 'Standard Webhooks: header names are case-insensitive', scheme, secrets: [SW_SECRET], delivery: { ...ONE, headers: ONE.headers.map(([n, v]) => [n.toUpperCase(), v] as const) }, now: NOW }),
  ];
}

export function standardWebhooksNegative(): WebhookNegativeVector[] {
  const c = { scheme, secrets: [SW_SECRET], now: NOW };
  const wrongReading = signStandardWebhookWithUtf8Key(JSON_BODY);
  return [
    negative({ ...c, id: 'sw-tampered-body', title: 'Standard Webhooks: the body changed after signing', delivery: { ...ONE, body: utf8(JSON_BODY.replace('4200', '4201')) }, code: 'signature_invalid' }),
    negative({ ...c, id: 'sw-tampered-id', title: 'Standard Webhooks: the webhook-id changed after signing (the id is signed)', delivery: withHeader(ONE, 'webhook-id', 'msg_other'), code: 'signature_invalid' }),
    negative({ ...c, id: 'sw-stale', title: 'Standard Webhooks: a timestamp 301 s old', delivery: ONE, now: NOW + 301, code: 'timestamp_out_of_window' }),
    negative({ ...c, id: 'sw-future', title: 'Standard Webhooks: a timestamp 301 s ahead (the window is two-sided)', delivery: ONE, now: NOW - 301, code: 'timestamp_out_of_window' }),
    negative({ ...c, id: 'sw-wrong-secret', title: 'Standard Webhooks: signed with another secret', secrets: [SW_OLD_SECRET], delivery: ONE, code: 'signature_invalid' }),
    negative({ ...c, id: 'sw-two-bad', title: 'Standard Webhooks: two v1 entries, neither good', delivery: withHeader(ONE, 'webhook-signature', `${OLD_SIG} ${BAD_SIG}`), code: 'signature_invalid' }),
    negative({ ...c, id: 'sw-unknown-version-only', title: 'Standard Webhooks: only v1a and v2 entries (nothing Sigil accepts)', delivery: withHeader(ONE, 'webhook-signature', `v1a,${'A'.repeat(86)}== v2,${SIG.slice(3)}`), code: 'unsupported_version' }),
    negative({ ...c, id: 'sw-wrong-whsec-reading', title: 'Standard Webhooks: signed with the UTF-8 bytes of the whole whsec_ string (the Stripe reading) instead of its base64 key', delivery: wrongReading, code: 'signature_invalid' }),
    negative({ ...c, id: 'sw-missing-signature', title: 'Standard Webhooks: no webhook-signature', delivery: withHeader(ONE, 'webhook-signature', undefined), code: 'signature_missing' }),
    negative({ ...c, id: 'sw-missing-id', title: 'Standard Webhooks: no webhook-id', delivery: withHeader(ONE, 'webhook-id', undefined), code: 'webhook_header_missing' }),
    negative({ ...c, id: 'sw-missing-timestamp', title: 'Standard Webhooks: no webhook-timestamp', delivery: withHeader(ONE, 'webhook-timestamp', undefined), code: 'webhook_header_missing' }),
    negative({ ...c, id: 'sw-timestamp-not-integer', title: 'Standard Webhooks: webhook-timestamp with a fraction', delivery: withHeader(ONE, 'webhook-timestamp', `${NOW}.5`), code: 'webhook_header_malformed' }),
    negative({ ...c, id: 'sw-timestamp-leading-zero', title: 'Standard Webhooks: webhook-timestamp with a leading zero', delivery: withHeader(ONE, 'webhook-timestamp', `0${NOW}`), code: 'webhook_header_malformed' }),
    negative({ ...c, id: 'sw-id-with-dot', title: 'Standard Webhooks: a webhook-id holding "." (it could shift bytes into the timestamp of id.timestamp.body)', delivery: withHeader(ONE, 'webhook-id', 'msg.1767225600'), code: 'webhook_header_malformed' }),
    negative({ ...c, id: 'sw-entry-without-comma', title: 'Standard Webhooks: an entry without "version,"', delivery: withHeader(ONE, 'webhook-signature', SIG.slice(3)), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'sw-v1-not-base64', title: 'Standard Webhooks: a v1 value that is not base64 of 32 bytes', delivery: withHeader(ONE, 'webhook-signature', `v1,${hexEncode(new Uint8Array(32))}`), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'sw-double-space', title: 'Standard Webhooks: entries separated by two spaces', delivery: withHeader(ONE, 'webhook-signature', `${SIG}  ${OLD_SIG}`), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'sw-two-signature-lines', title: 'Standard Webhooks: two webhook-signature field lines (joined with ", ": not the grammar)', delivery: { ...ONE, headers: [...ONE.headers, ['webhook-signature', OLD_SIG]] }, code: 'signature_header_malformed' }),
    negative({ ...c, id: 'sw-secret-without-prefix', title: 'Standard Webhooks: a configured secret without whsec_', secrets: [SW_SECRET.slice(6)], delivery: ONE, code: 'invalid_key' }),
    negative({ ...c, id: 'sw-secret-too-short', title: 'Standard Webhooks: a configured key of 16 bytes (the specification allows 24-64)', secrets: ['whsec_AAAAAAAAAAAAAAAAAAAAAA=='], delivery: ONE, code: 'invalid_key' }),
  ];
}

/** What a receiver that reads whsec_ the Stripe way would accept: HMAC keyed by the whole string's UTF-8 bytes. */
function signStandardWebhookWithUtf8Key(body: string): Delivery {
  const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const mac = hexDecode(hmacHex(SW_SECRET, `${id}.${NOW}.${body}`))!;
  return { headers: [['webhook-id', id], ['webhook-timestamp', String(NOW)], ['webhook-signature', `v1,${base64Encode(mac)}`]], body: utf8(body) };
}
