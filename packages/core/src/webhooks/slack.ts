// Slack request signing: HMAC-SHA256 over `"v0:" timestamp ":" body`, sent
// as `X-Slack-Signature: v0=<hex>` with `X-Slack-Request-Timestamp`; the
// signing secret is used as UTF-8. Slack sends no delivery id in a header,
// so the replay key is the signed bytes. See docs/webhooks/slack.md.
import { SigilError } from '../errors.js';
import { hexEncode } from '../lib/encoding.js';
import type { HeaderList, HeadersLike } from '../request.js';
import { bodyBytes, signTimestamp } from './lib/body.js';
import { hexMac, parseTimestamp, prefixed, readSignatureHeader, requireHeader } from './lib/grammar.js';
import { defineScheme, macAll, oneShotVerify, type OneShotVerifyOptions, type SchemeDefinition } from './lib/scheme.js';
import { utf8Secret } from './lib/secrets.js';
import type { WebhookClaim, WebhookRequest, WebhookScheme, WebhookSchemeOptions, WebhookVerifyResult } from './lib/types.js';

const SIGNATURE_HEADER = 'x-slack-signature';
const TIMESTAMP_HEADER = 'x-slack-request-timestamp';
const VERSION = /^[a-z0-9]{1,16}=/;

/**
 * Parses `X-Slack-Signature` (exactly `v0=` + 64 lowercase hex digits; any
 * other version is `unsupported_version`) and `X-Slack-Request-Timestamp`.
 *
 * @example
 * parseSlackSignature(headers).timestamp; // 1531420618
 */
export function parseSlackSignature(headers: HeaderList | HeadersLike): WebhookClaim {
  const header = readSignatureHeader(headers, SIGNATURE_HEADER);
  const version = VERSION.exec(header);
  if (!version) throw new SigilError('signature_header_malformed', { detail: `${SIGNATURE_HEADER} is v0=<hex>` });
  if (version[0] !== 'v0=') throw new SigilError('unsupported_version', { detail: `${SIGNATURE_HEADER} is not v0` });
  const signature = hexMac(header.slice(3), SIGNATURE_HEADER);
  const timestampText = requireHeader(headers, TIMESTAMP_HEADER);
  const timestamp = parseTimestamp(timestampText, TIMESTAMP_HEADER);
  return { scheme: 'slack', signatures: [signature], skipped: 0, timestamp, timestampText, idSigned: false };
}

const definition: SchemeDefinition = {
  name: 'slack',
  signatureHeader: SIGNATURE_HEADER,
  covers: { body: true, timestamp: true, id: false },
  // Slack retries within minutes with a fresh timestamp and signature; the
  // replay key only has to outlive the window (2 x tolerance).
  defaultRetentionSeconds: 600,
  secretBytes: utf8Secret,
  parse: parseSlackSignature,
  signedContent: (claim, body) => prefixed(`v0:${claim.timestampText!}:`, body),
};

/**
 * The Slack scheme.
 *
 * @example
 * const scheme = slackScheme({ secrets: process.env.SLACK_SIGNING_SECRET! });
 */
export const slackScheme: (options: WebhookSchemeOptions) => WebhookScheme = defineScheme(definition);

/**
 * Verifies one Slack request.
 *
 * @example
 * const result = verifySlackWebhook({ headers, body }, { secrets, now: Math.floor(Date.now() / 1000) });
 */
export const verifySlackWebhook: (request: WebhookRequest, options: OneShotVerifyOptions) => WebhookVerifyResult = oneShotVerify(slackScheme);

/**
 * Signs like Slack.
 *
 * @example
 * signSlackWebhook({ timestamp: 1531420618, body, secret });
 */
export function signSlackWebhook(input: { readonly timestamp: number; readonly body: Uint8Array | string; readonly secret: string }): {
  readonly 'x-slack-request-timestamp': string;
  readonly 'x-slack-signature': string;
} {
  const ts = signTimestamp(input.timestamp, definition.name);
  const [mac] = macAll(definition, input.secret, prefixed(`v0:${ts}:`, bodyBytes(input.body, definition.name)));
  return { 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${hexEncode(mac!)}` };
}
