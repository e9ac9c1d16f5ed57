// Stripe vectors. Stripe publishes no example with its secret, so the
// positive cases are generated; the interop test checks that the `stripe`
// package's generateTestHeaderString produces the same header for them.
import { base64Decode } from '../../packages/core/src/lib/encoding.js';
import { signStripeWebhook } from '../../packages/core/src/webhooks/stripe.js';
import type { WebhookNegativeVector, WebhookPositiveVector } from '../../packages/core/src/webhooks/vectors.js';
import { BINARY_BODY, header, hmacHex, JSON_BODY, lines, negative, NOW, positive, STRIPE_OLD_SECRET, STRIPE_SECRET, SW_SECRET, utf8, withHeader, type Delivery } from './fixtures.js';

const scheme = 'stripe' as const;

function st(body: Uint8Array | string, secrets: readonly string[], timestamp = NOW): Delivery {
  const bytes = typeof body === 'string' ? utf8(body) : body;
  return { headers: lines(signStripeWebhook({ timestamp, body: bytes, secrets }), { 'stripe-signature': 'Stripe-Signature' }), body: bytes };
}


const ONE = st(JSON_BODY, [STRIPE_SECRET]);
const SIG = header(ONE, 'stripe-signature');
const V1 = SIG.split(',')[1]!;
const BAD_V1 = `v1=${'ab'.repeat(32)}`;
const V0 = `v0=${hmacHex(STRIPE_SECRET, `${NOW}.${JSON_BODY}`)}`;

export function stripePositive(): WebhookPositiveVector[] {
  const c = { scheme, secrets: [STRIPE_SECRET], now: NOW };
  return [
    positive({ ...c, id: 'stripe-json-body', title: 'Stripe: t and one v1 over "t.body", the whole whsec_ string as the UTF-8 key', delivery: ONE }),
    positive({ ...c, id: 'stripe-binary-body', title: 'Stripe: a body that is not UTF-8 is MACed as raw bytes', delivery: st(BINARY_BODY, [STRIPE_SECRET]) }),
    positive({ ...c, id: 'stripe-with-v0', title: 'Stripe: a v0 entry beside v1 (test mode) is skipped, v1 verifies', delivery: withHeader(ONE, 'Stripe-Signature', `${SIG},${V0}`) }),
    positive({ ...c, id: 'stripe-roll-two-v1', title: 'Stripe: a secret roll sends one v1 per active secret; the verifier holds the new one', delivery: st(JSON_BODY, [STRIPE_OLD_SECRET, STRIPE_SECRET]) }),
    positive({ ...c, id: 'stripe-rotation-second-secret', title: 'Stripe: the verifier holds [new, old]; a delivery signed with the old secret matches secret 1', secrets: [STRIPE_SECRET, STRIPE_OLD_SECRET], delivery: st(JSON_BODY, [STRIPE_OLD_SECRET]) }),
    positive({ ...c, id: 'stripe-unknown-scheme-skipped', title: 'Stripe: an unknown scheme (v9) is skipped', delivery: withHeader(ONE, 'Stripe-Signature', `v9=zz,${SIG}`) }),
    positive({ ...c, id: 'stripe-good-then-bad', title: 'Stripe: one good and one bad v1: accepted', delivery: withHeader(ONE, 'Stripe-Signature', `${SIG},${BAD_V1}`) }),
    positive({ ...c, id: 'stripe-bad-then-good', title: 'Stripe: one bad and then one good v1, t last: accepted', delivery: withHeader(ONE, 'Stripe-Signature', `${BAD_V1},${V1},t=${NOW}`) }),
    positive({ ...c, id: 'stripe-window-future-edge', title: 'Stripe: a t exactly 300 s ahead is inside the two-sided window', delivery: ONE, now: NOW - 300 }),
  ];
}

export function stripeNegative(): WebhookNegativeVector[] {
  const c = { scheme, secrets: [STRIPE_SECRET], now: NOW };
  return [
    negative({ ...c, id: 'stripe-tampered-body', title: 'Stripe: the body changed after signing', delivery: { ...ONE, body: utf8(`${JSON_BODY} `) }, code: 'signature_invalid' }),
    negative({ ...c, id: 'stripe-tampered-t', title: 'Stripe: t changed after signing (t is signed)', delivery: withHeader(ONE, 'Stripe-Signature', `t=${NOW + 1},${V1}`), now: NOW + 1, code: 'signature_invalid' }),
    negative({ ...c, id: 'stripe-stale', title: 'Stripe: a t 301 s old', delivery: ONE, now: NOW + 301, code: 'timestamp_out_of_window' }),
    negative({ ...c, id: 'stripe-future', title: 'Stripe: a t 301 s ahead (Stripe\'s own library checks only the past; Sigil both ways)', delivery: ONE, now: NOW - 301, code: 'timestamp_out_of_window' }),
    negative({ ...c, id: 'stripe-wrong-secret', title: 'Stripe: signed with another secret', secrets: [STRIPE_OLD_SECRET], delivery: ONE, code: 'signature_invalid' }),
    negative({ ...c, id: 'stripe-v0-only', title: 'Stripe: only a v0 entry, with a MAC that is right for v0\'s bytes: never accepted (downgrade)', delivery: withHeader(ONE, 'Stripe-Signature', `t=${NOW},${V0}`), code: 'unsupported_version' }),
    negative({ ...c, id: 'stripe-unknown-only', title: 'Stripe: only an unknown scheme (v2) carrying the good MAC', delivery: withHeader(ONE, 'Stripe-Signature', `t=${NOW},v2=${V1.slice(3)}`), code: 'unsupported_version' }),
    negative({ ...c, id: 'stripe-two-bad', title: 'Stripe: two v1, neither good', delivery: withHeader(ONE, 'Stripe-Signature', `t=${NOW},${BAD_V1},v1=${'cd'.repeat(32)}`), code: 'signature_invalid' }),
    negative({ ...c, id: 'stripe-wrong-whsec-reading', title: 'Stripe: signed with the base64-decoded key after whsec_ (the Standard Webhooks reading) instead of the whole string', secrets: [SW_SECRET], delivery: signWithDecodedKey(), code: 'signature_invalid' }),
    negative({ ...c, id: 'stripe-missing-header', title: 'Stripe: no Stripe-Signature', delivery: withHeader(ONE, 'Stripe-Signature', undefined), code: 'signature_missing' }),
    negative({ ...c, id: 'stripe-missing-t', title: 'Stripe: no t item', delivery: withHeader(ONE, 'Stripe-Signature', V1), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'stripe-two-t', title: 'Stripe: two t items', delivery: withHeader(ONE, 'Stripe-Signature', `${SIG},t=${NOW}`), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'stripe-t-not-integer', title: 'Stripe: t is not integer seconds', delivery: withHeader(ONE, 'Stripe-Signature', `t=${NOW}.0,${V1}`), code: 'webhook_header_malformed' }),
    negative({ ...c, id: 'stripe-space-after-comma', title: 'Stripe: a space after ","', delivery: withHeader(ONE, 'Stripe-Signature', `t=${NOW}, ${V1}`), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'stripe-uppercase-hex', title: 'Stripe: a v1 in uppercase hex', delivery: withHeader(ONE, 'Stripe-Signature', `t=${NOW},${V1.toUpperCase().replace('V1=', 'v1=')}`), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'stripe-short-v1', title: 'Stripe: a v1 of 63 hex digits', delivery: withHeader(ONE, 'Stripe-Signature', `t=${NOW},${V1.slice(0, -1)}`), code: 'signature_header_malformed' }),
    negative({ ...c, id: 'stripe-empty-secret', title: 'Stripe: an empty configured secret', secrets: [''], delivery: ONE, code: 'invalid_key' }),
  ];
}

/** A Stripe header MACed with the Standard Webhooks reading of a whsec_ secret (the base64-decoded bytes after the prefix). */
function signWithDecodedKey(): Delivery {
  const mac = hmacHex(base64Decode(SW_SECRET.slice(6))!, `${NOW}.${JSON_BODY}`);
  return { headers: [['Stripe-Signature', `t=${NOW},v1=${mac}`]], body: utf8(JSON_BODY) };
}
