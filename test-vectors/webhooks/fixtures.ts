// Fixed secrets, clocks and bodies for the webhook vectors, and the helpers
// that turn a delivery into a vector. Expected values come from core; the
// published vendor examples, the vendors' own libraries (interop tests) and
// the Python reference check them independently.
import { backend } from '../../packages/core/src/crypto.js';
import { base64Encode, hexEncode } from '../../packages/core/src/lib/encoding.js';
import type { HeaderList } from '../../packages/core/src/request.js';
import {
  runWebhookVector,
  vectorField,
  type WebhookNegativeVector,
  type WebhookPositiveVector,
  type WebhookVector,
} from '../../packages/core/src/webhooks/vectors.js';
import type { WebhookSchemeName } from '../../packages/core/src/webhooks/lib/types.js';
import { webhookSchemes } from '../../packages/core/src/webhooks/schemes.js';

const seq = (n: number, from: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

/** The Standard Webhooks specification's example secret (24 bytes). */
export const SW_PUBLISHED_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** Generated Standard Webhooks secrets: the current one and the one being rotated out. */
export const SW_SECRET = `whsec_${base64Encode(seq(32, 1))}`;
export const SW_OLD_SECRET = `whsec_${base64Encode(seq(32, 101))}`;
export const STRIPE_SECRET = 'whsec_sigilVectorStripeSigningSecret000001';
export const STRIPE_OLD_SECRET = 'whsec_sigilVectorStripeSigningSecret000000';
export const GITHUB_SECRET = 'sigil vector github secret \u00e9\u00e8';
export const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const SHOPIFY_SECRET = 'shpss_sigilVectorShopifyClientSecret0001';

/** The generated deliveries' clock: 2026-01-01T00:00:00Z. */
export const NOW = 1_767_225_600;
export const JSON_BODY = '{"type":"invoice.paid","data":{"id":"in_1","amount":4200,"note":"caf\u00e9 \u2713"}}';
/** Not UTF-8 (a lone 0xff), so the vector carries it as base64. */
export const BINARY_BODY = Uint8Array.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x0d, 0x2e, 0x3a]);

export interface Delivery {
  readonly headers: HeaderList;
  readonly body: Uint8Array;
}

interface Case {
  readonly id: string;
  readonly title: string;
  readonly source?: string;
  readonly scheme: WebhookSchemeName;
  readonly secrets: readonly string[];
  readonly delivery: Delivery;
  readonly now: number;
  readonly toleranceSeconds?: number;
}

function base(c: Case) {
  return {
    id: c.id,
    title: c.title,
    source: c.source ?? 'Sigil',
    scheme: c.scheme,
    secrets: [...c.secrets],
    request: { headers: c.delivery.headers.map(([n, v]) => [n, v] as [string, string]), body: c.delivery.body.length === 0 ? null : vectorField(c.delivery.body) },
    now: c.now,
    ...(c.toleranceSeconds === undefined ? {} : { options: { toleranceSeconds: c.toleranceSeconds } }),
  };
}

/** A vector the scheme must accept; expected values are what core computes, and it must accept. */
export function positive(c: Case): WebhookPositiveVector {
  const probe = { ...base(c), kind: 'negative', expected: { code: 'signature_invalid' } } as WebhookVector;
  const result = runWebhookVector(probe);
  if (!result.ok) throw new Error(`generator bug: ${c.id} is refused (${result.code})`);
  const claimBytes = signedContentOf(c);
  return {
    ...base(c),
    kind: 'positive',
    expected: {
      secretIndex: result.secretIndex,
      timestamp: result.timestamp ?? null,
      messageId: result.id ?? null,
      idSigned: result.idSigned,
      signedContent: vectorField(claimBytes),
      replay: { source: result.replay.source, key: result.replay.key },
    },
  };
}

/** A vector the scheme must refuse with `code`; the generator checks core refuses it with exactly that code. */
export function negative(c: Case & { readonly code: WebhookNegativeVector['expected']['code'] }): WebhookNegativeVector {
  const vector: WebhookNegativeVector = { ...base(c), kind: 'negative', expected: { code: c.code } };
  const result = runWebhookVector(vector);
  if (result.ok || result.code !== c.code) throw new Error(`generator bug: ${c.id} gives ${result.ok ? 'ok' : result.code}, not ${c.code}`);
  return vector;
}


function signedContentOf(c: Case): Uint8Array {
  const scheme = webhookSchemes[c.scheme]({ secrets: [...c.secrets], ...(c.toleranceSeconds === undefined ? {} : { toleranceSeconds: c.toleranceSeconds }) });
  return scheme.signedContent(scheme.parse(c.delivery.headers), c.delivery.body);
}

/** The delivery with header `name` (any case) replaced by `value`, or removed when `value` is undefined. */
export function withHeader(d: Delivery, name: string, value: string | undefined): Delivery {
  const lower = name.toLowerCase();
  const kept = d.headers.filter(([n]) => n.toLowerCase() !== lower);
  return { ...d, headers: value === undefined ? kept : [...kept, [name, value]] };
}

/** The delivery with an extra field line. */
export function withLine(d: Delivery, name: string, value: string): Delivery {
  return { ...d, headers: [...d.headers, [name, value]] };
}

/** The delivery's header value (exact name as generated). */
export function header(d: Delivery, name: string): string {
  const line = d.headers.find(([n]) => n.toLowerCase() === name.toLowerCase());
  if (!line) throw new Error(`generator bug: no ${name}`);
  return line[1];
}

export const utf8 = (text: string) => new TextEncoder().encode(text);

/** Headers from a sign function's record, in its order, under the given display names. */
export function lines<T extends { [K in keyof T]: string }>(record: T, display: Partial<Record<keyof T & string, string>> = {}): HeaderList {
  return (Object.entries(record) as Array<[keyof T & string, string]>).map(([n, v]) => [display[n] ?? n, v] as const);
}

/** HMAC-SHA256 hex of `message` keyed by `key` (bytes, or a string's UTF-8), for deliberately wrong signers. */
export function hmacHex(key: Uint8Array | string, message: Uint8Array | string): string {
  const k = typeof key === 'string' ? utf8(key) : key;
  return hexEncode(backend.prepareBytesMac('hmac-sha256', k)(typeof message === 'string' ? utf8(message) : message));
}
