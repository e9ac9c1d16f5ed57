// Standard Webhooks (https://www.standardwebhooks.com/, used by Svix and
// others): HMAC-SHA256 over `webhook-id "." webhook-timestamp "." body`,
// sent as `webhook-signature: v1,<base64>` entries separated by one space.
// The secret is `whsec_` + base64 of the key bytes. See SPEC.md section
// "Webhook schemes" and docs/webhooks/standard-webhooks.md.
import { SigilError } from '../errors.js';
import { base64Encode } from '../lib/encoding.js';
import type { HeaderList, HeadersLike } from '../request.js';
import { bodyBytes, signId, signTimestamp } from './lib/body.js';
import { base64Mac, checkEntryCount, parseId, parseTimestamp, prefixed, readSignatureHeader, requireHeader, requireSignatures } from './lib/grammar.js';
import { defineScheme, macAll, oneShotVerify, type OneShotVerifyOptions, type SchemeDefinition } from './lib/scheme.js';
import { parseWebhookSecret } from './lib/secrets.js';
import type { WebhookClaim, WebhookRequest, WebhookScheme, WebhookSchemeOptions, WebhookSecrets, WebhookVerifyResult } from './lib/types.js';

const ID_HEADER = 'webhook-id';
const TIMESTAMP_HEADER = 'webhook-timestamp';
const SIGNATURE_HEADER = 'webhook-signature';
const ENTRY = /^([a-z0-9]{1,16}),([A-Za-z0-9+/=]{1,512})$/;

/**
 * Parses the three Standard Webhooks headers. `v1` entries are kept; entries
 * of any other version (`v1a` asymmetric signatures, future versions) are
 * skipped; a header with none is `unsupported_version`.
 *
 * @example
 * const claim = parseStandardWebhook(request.headers);
 * claim.id; // 'msg_p5jXN8AQM9LWM0D4loKWxJek'
 */
export function parseStandardWebhook(headers: HeaderList | HeadersLike): WebhookClaim {
  const header = readSignatureHeader(headers, SIGNATURE_HEADER);
  const id = parseId(requireHeader(headers, ID_HEADER), ID_HEADER);
  const timestampText = requireHeader(headers, TIMESTAMP_HEADER);
  const timestamp = parseTimestamp(timestampText, TIMESTAMP_HEADER);
  const entries = header.split(' ');
  checkEntryCount(entries.length, SIGNATURE_HEADER);
  const signatures: Uint8Array[] = [];
  let skipped = 0;
  for (const entry of entries) {
    const match = ENTRY.exec(entry);
    if (!match) throw new SigilError('signature_header_malformed', { detail: `${SIGNATURE_HEADER} entries are version,signature separated by one space` });
    if (match[1] === 'v1') signatures.push(base64Mac(match[2]!, `a ${SIGNATURE_HEADER} v1 entry`));
    else skipped++;
  }
  requireSignatures(signatures, SIGNATURE_HEADER);
  return { scheme: 'standard-webhooks', signatures, skipped, timestamp, timestampText, id, idSigned: true };
}

const definition: SchemeDefinition = {
  name: 'standard-webhooks',
  signatureHeader: SIGNATURE_HEADER,
  covers: { body: true, timestamp: true, id: true },
  // Svix retries for about 28 hours (5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
  // 10 h); three days also covers a manual re-send the next day.
  defaultRetentionSeconds: 3 * 86_400,
  secretBytes: parseWebhookSecret,
  parse: parseStandardWebhook,
  signedContent: (claim, body) => prefixed(`${claim.id!}.${claim.timestampText!}.`, body),
};

/**
 * The Standard Webhooks scheme with its secrets (each `whsec_` + base64)
 * prepared and its policy validated.
 *
 * @example
 * const scheme = standardWebhooksScheme({ secrets: [process.env.WEBHOOK_SECRET!] });
 * const result = scheme.verify({ headers, body }, Math.floor(Date.now() / 1000));
 */
export const standardWebhooksScheme: (options: WebhookSchemeOptions) => WebhookScheme = defineScheme(definition);

/**
 * Verifies one Standard Webhooks delivery. For many deliveries build the
 * scheme once with standardWebhooksScheme().
 *
 * @example
 * const result = verifyStandardWebhook({ headers, body }, { secrets: secret, now: Math.floor(Date.now() / 1000) });
 * if (!result.ok) console.log(result.code);
 */
export const verifyStandardWebhook: (request: WebhookRequest, options: OneShotVerifyOptions) => WebhookVerifyResult = oneShotVerify(standardWebhooksScheme);

/** Input of signStandardWebhook(). */
export interface SignStandardWebhookInput {
  /** The message id, the same on every attempt of one delivery. */
  readonly id: string;
  /** Unix seconds of this attempt. */
  readonly timestamp: number;
  /** The exact body bytes sent (a string is sent as UTF-8). */
  readonly body: Uint8Array | string;
  /** `whsec_` secrets; several sign at once during a rotation. */
  readonly secrets: WebhookSecrets;
}

/** The three headers of a Standard Webhooks delivery. */
export interface StandardWebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * Signs a Standard Webhooks delivery: one `v1,` entry per secret, in order,
 * separated by one space.
 *
 * @example
 * const headers = signStandardWebhook({ id: 'msg_1', timestamp: 1614265330, body, secrets: secret });
 */
export function signStandardWebhook(input: SignStandardWebhookInput): StandardWebhookHeaders {
  const id = signId(input.id, definition.name);
  const timestamp = signTimestamp(input.timestamp, definition.name);
  const content = prefixed(`${id}.${timestamp}.`, bodyBytes(input.body, definition.name));
  const signature = macAll(definition, input.secrets, content)
    .map((mac) => `v1,${base64Encode(mac)}`)
    .join(' ');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
}
