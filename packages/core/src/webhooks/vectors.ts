// The schema of the webhook test vectors (test-vectors/webhooks-*.json);
// test-vectors/webhooks-schema.json is generated from it. One vector is one
// delivery as received (field lines and raw body), the endpoint's secrets as
// the vendor shows them, the verifier's clock, and what must come out.
import * as z from 'zod/mini';
import { jsonSchemaOf, parseWith, vectorFile } from '../lib/vector-parts.js';
import { ERROR_CODES, SigilError, type SigilErrorCode } from '../errors.js';
import { base64Decode, base64Encode, utf8 } from '../lib/encoding.js';
import { webhookSchemes } from './schemes.js';
import type { WebhookSchemeName, WebhookVerifyResult } from './lib/types.js';

const SCHEMES = Object.keys(webhookSchemes) as [WebhookSchemeName, ...WebhookSchemeName[]];

const bytesSchema = z.union([
  z.null().check(z.describe('No bytes.')),
  z.strictObject({ utf8: z.string() }).check(z.describe('The UTF-8 encoding of this string.')),
  z.strictObject({ base64: z.string() }).check(z.describe('Standard base64 with padding.')),
]);

const common = {
  id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  title: z.string().check(z.describe('What the case pins; a vendor example names its source URL.')),
  source: z.string().check(z.describe('A URL of the published example, or "Sigil" for generated cases.')),
  scheme: z.enum(SCHEMES),
  secrets: z
    .array(z.string())
    .check(z.minLength(1))
    .check(z.describe('The endpoint secrets exactly as the vendor shows them, in configuration order; each scheme reads them its own way (SPEC.md section 10).')),
  request: z
    .strictObject({
      headers: z.array(z.tuple([z.string(), z.string()])).check(z.describe('Field lines in order, as [name, value]; a name may repeat.')),
      body: bytesSchema.check(z.describe('The raw body bytes as received.')),
    }),
  now: z.number().check(z.int(), z.minimum(0)).check(z.describe("The verifier's clock, Unix seconds.")),
  options: z.optional(z.strictObject({ toleranceSeconds: z.optional(z.number().check(z.int(), z.minimum(0))).check(z.describe('Two-sided tolerance; absent: 300.')) })),
};

const positiveSchema = z
  .strictObject({
    ...common,
    kind: z.literal('positive'),
    expected: z
      .strictObject({
        secretIndex: z.number().check(z.int(), z.minimum(0)).check(z.describe('Index in secrets of the first secret whose MAC matches.')),
        timestamp: z.nullable(z.number().check(z.int())),
        messageId: z.nullable(z.string()).check(z.describe('The id header, if any.')),
        idSigned: z.boolean(),
        signedContent: bytesSchema.check(z.describe('The exact bytes MACed.')),
        replay: z
          .strictObject({
            source: z.enum(['id', 'content']),
            key: z.string().check(z.describe('base64url SHA-256 of "sigil-webhook-replay" 0x00 scheme 0x00 source 0x00 data.')),
          }),
      }),
  });

const negativeSchema = z
  .strictObject({
    ...common,
    kind: z.literal('negative'),
    expected: z.strictObject({ code: z.enum(ERROR_CODES as [SigilErrorCode, ...SigilErrorCode[]]) }),
  });

/**
 * One webhook vector.
 *
 * @example
 * webhookVectorSchema.parse(file.vectors[0]).scheme; // 'standard-webhooks'
 */
export const webhookVectorSchema = z.discriminatedUnion('kind', [positiveSchema, negativeSchema]);

/**
 * A webhook vector file.
 *
 * @example
 * webhookVectorFileSchema.safeParse(json).success;
 */
export const webhookVectorFileSchema = vectorFile(webhookVectorSchema);

export type WebhookPositiveVector = z.infer<typeof positiveSchema>;
export type WebhookNegativeVector = z.infer<typeof negativeSchema>;
export type WebhookVector = z.infer<typeof webhookVectorSchema>;
export type WebhookVectorFile = z.infer<typeof webhookVectorFileSchema>;
export type WebhookVectorBytes = z.infer<typeof bytesSchema>;

/**
 * Validates parsed JSON as a webhook vector file; throws `vector_invalid` naming the first offending path.
 *
 * @example
 * const file = parseWebhookVectorFile(JSON.parse(readFileSync('test-vectors/webhooks-positive.json', 'utf8')));
 */
export function parseWebhookVectorFile(json: unknown): WebhookVectorFile {
  return parseWith(webhookVectorFileSchema, json);
}

/**
 * The JSON Schema (draft 2020-12) of a webhook vector file.
 *
 * @example
 * writeFileSync('webhooks-schema.json', JSON.stringify(webhookVectorJsonSchema()));
 */
export function webhookVectorJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(webhookVectorFileSchema);
}

/** The bytes a vector field stands for. */
export function vectorBytes(value: WebhookVectorBytes): Uint8Array {
  if (value === null) return new Uint8Array(0);
  if ('utf8' in value) return utf8(value.utf8);
  const bytes = base64Decode(value.base64);
  if (!bytes) throw new SigilError('vector_invalid', { detail: 'a base64 field is not padded standard base64' });
  return bytes;
}

/** Bytes as a vector field: UTF-8 text when they are valid UTF-8, base64 otherwise. */
export function vectorField(bytes: Uint8Array): Exclude<WebhookVectorBytes, null> {
  try {
    return { utf8: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { base64: base64Encode(bytes) };
  }
}

/**
 * Runs one vector through its scheme: builds the scheme from the vector's
 * secrets and options (a configuration error, such as a malformed secret,
 * comes back as a refusal with its code) and verifies the request at `now`.
 *
 * @example
 * const result = runWebhookVector(vector);
 * result.ok ? result.secretIndex : result.code;
 */
export function runWebhookVector(vector: WebhookVector): WebhookVerifyResult {
  let scheme;
  try {
    scheme = webhookSchemes[vector.scheme]({ secrets: vector.secrets, ...vector.options });
  } catch (error) {
    if (error instanceof SigilError) return { ok: false, scheme: vector.scheme, code: error.code, error };
    throw error;
  }
  return scheme.verify({ headers: vector.request.headers, body: vectorBytes(vector.request.body) }, vector.now);
}
