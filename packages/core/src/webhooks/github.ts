// GitHub webhooks: HMAC-SHA256 over the body alone, sent as
// `X-Hub-Signature-256: sha256=<hex>`; the secret is the string typed into
// the webhook's settings, as UTF-8. Nothing else is signed: there is no
// timestamp, and `X-GitHub-Delivery` is not covered by the MAC. So the
// replay key is the signed body itself (a replay under a fresh delivery id
// is still caught), and replay is bounded only by the retention. See
// docs/webhooks/github.md.
import { SigilError } from '../errors.js';
import { hexEncode } from '../lib/encoding.js';
import type { HeaderList, HeadersLike } from '../request.js';
import { bodyBytes } from './lib/body.js';
import { hexMac, parseId, readHeader, readSignatureHeader } from './lib/grammar.js';
import { defineScheme, macAll, oneShotVerify, type OneShotVerifyOptions, type SchemeDefinition } from './lib/scheme.js';
import { utf8Secret } from './lib/secrets.js';
import type { WebhookClaim, WebhookRequest, WebhookScheme, WebhookSchemeOptions, WebhookVerifyResult } from './lib/types.js';

const SIGNATURE_HEADER = 'x-hub-signature-256';
const DELIVERY_HEADER = 'x-github-delivery';
const PREFIX = 'sha256=';

/**
 * Parses `X-Hub-Signature-256` (exactly `sha256=` + 64 lowercase hex
 * digits) and the optional `X-GitHub-Delivery` id.
 *
 * @example
 * parseGithubSignature(headers).id; // the delivery GUID, unsigned
 */
export function parseGithubSignature(headers: HeaderList | HeadersLike): WebhookClaim {
  const header = readSignatureHeader(headers, SIGNATURE_HEADER);
  const equals = header.indexOf('=');
  if (equals < 0) throw new SigilError('signature_header_malformed', { detail: `${SIGNATURE_HEADER} is sha256=<hex>` });
  if (header.slice(0, equals + 1) !== PREFIX) throw new SigilError('unsupported_version', { detail: `${SIGNATURE_HEADER} is not sha256` });
  const signature = hexMac(header.slice(PREFIX.length), SIGNATURE_HEADER);
  const delivery = readHeader(headers, DELIVERY_HEADER);
  const id = delivery === undefined ? undefined : parseId(delivery, DELIVERY_HEADER);
  return { scheme: 'github', signatures: [signature], skipped: 0, ...(id === undefined ? {} : { id }), idSigned: false };
}

const definition: SchemeDefinition = {
  name: 'github',
  signatureHeader: SIGNATURE_HEADER,
  covers: { body: true, timestamp: false, id: false },
  // Deliveries can be redelivered from the settings page for 3 days.
  defaultRetentionSeconds: 3 * 86_400,
  secretBytes: utf8Secret,
  parse: parseGithubSignature,
  signedContent: (_claim, body) => body,
};

/**
 * The GitHub scheme.
 *
 * @example
 * const scheme = githubScheme({ secrets: process.env.GITHUB_WEBHOOK_SECRET! });
 */
export const githubScheme: (options: WebhookSchemeOptions) => WebhookScheme = defineScheme(definition);

/**
 * Verifies one GitHub delivery. `now` is accepted for symmetry and unused (GitHub signs no time).
 *
 * @example
 * const result = verifyGithubWebhook({ headers, body }, { secrets, now: 0 });
 */
export const verifyGithubWebhook: (request: WebhookRequest, options: OneShotVerifyOptions) => WebhookVerifyResult = oneShotVerify(githubScheme);

/**
 * Signs like GitHub: `sha256=<hex>` of the body.
 *
 * @example
 * signGithubWebhook({ body: 'Hello, World!', secret: "It's a Secret to Everybody" });
 * // { 'x-hub-signature-256': 'sha256=757107ea...' }
 */
export function signGithubWebhook(input: { readonly body: Uint8Array | string; readonly secret: string }): { readonly 'x-hub-signature-256': string } {
  const [mac] = macAll(definition, input.secret, bodyBytes(input.body, definition.name));
  return { 'x-hub-signature-256': `${PREFIX}${hexEncode(mac!)}` };
}
