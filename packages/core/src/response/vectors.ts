// The schema of the v1 response vectors (test-vectors/v1-response-*.json,
// SPEC.md section 11); test-vectors/v1-response-schema.json is generated
// from it. Published through `@sigil/core/vectors`.
import { z } from 'zod';
import { ERROR_CODES, type SigilErrorCode } from '../errors.js';
import { bodySchema, keySchema, parseWith } from '../lib/vector-parts.js';

const boundSchema = z
  .object({
    nonce: z.string().describe("The request's nonce, as its Sigil-Signature carried it."),
    mac: z.string().describe("The request's mac, base64url, as its Sigil-Signature carried it."),
  })
  .strict()
  .describe('The request the response answers, as the client kept it when it signed the request.');

const responseSchema = z
  .object({
    status: z.number().int(),
    headers: z.array(z.tuple([z.string(), z.string()])).describe('Header field lines in order, as [name, value]; a name may repeat.'),
    body: bodySchema,
  })
  .strict();

const policySchema = z
  .object({
    now: z.number().int().nonnegative().describe("The client's clock, Unix seconds."),
    toleranceSeconds: z.number().int().nonnegative(),
    requiredHeaders: z.array(z.string()).describe('Response headers the client requires signed, besides content-type.'),
  })
  .strict();

const positiveSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string(),
    kind: z.literal('positive'),
    key: keySchema,
    request: boundSchema,
    response: responseSchema.describe('The response before signing (no Sigil-Response-Signature line).'),
    params: z
      .object({
        algorithm: z.enum(['hmac-sha256', 'hmac-sha512']),
        timestamp: z.number().int().nonnegative(),
        headers: z.array(z.string()).describe('Extra header names to sign, as a server passes them; content-type is added when present.'),
      })
      .strict(),
    verify: z
      .object({ keys: z.array(keySchema), policy: policySchema })
      .strict()
      .optional()
      .describe('How the client verifies. Default: the signing key alone, now = timestamp, tolerance 300, no required headers.'),
    expected: z
      .object({
        canonical: z.string().describe('The response canonical string, LF-separated, no trailing LF.'),
        mac: z.string().describe('base64url, no padding.'),
        header: z.string().describe('The Sigil-Response-Signature field value.'),
      })
      .strict(),
  })
  .strict();

const negativeSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string(),
    kind: z.literal('negative'),
    keys: z.array(keySchema).describe('The client key set; several entries may share an id (rotation).'),
    request: boundSchema,
    response: responseSchema.describe('The response as received, Sigil-Response-Signature included (or not).'),
    policy: policySchema,
    expected: z.object({ error: z.enum(ERROR_CODES as [SigilErrorCode, ...SigilErrorCode[]]) }).strict(),
  })
  .strict();

/** One positive or negative response vector. */
export const responseVectorSchema = z.discriminatedUnion('kind', [positiveSchema, negativeSchema]);

/** A response vector file. */
export const responseVectorFileSchema = z
  .object({ $schema: z.string().optional(), title: z.string(), description: z.string(), vectors: z.array(responseVectorSchema).min(1) })
  .strict();

export type ResponseVector = z.infer<typeof responseVectorSchema>;
export type ResponseVectorFile = z.infer<typeof responseVectorFileSchema>;
export type ResponseVectorResponse = z.infer<typeof responseSchema>;

/**
 * Validates parsed JSON as a response vector file. Throws `vector_invalid`
 * naming the first offending path.
 *
 * @example
 * const file = parseResponseVectorFile(JSON.parse(readFileSync('test-vectors/v1-response-positive.json', 'utf8')));
 */
export function parseResponseVectorFile(json: unknown): ResponseVectorFile {
  return parseWith(responseVectorFileSchema, json);
}

/** The JSON Schema (draft 2020-12) of a response vector file. */
export function responseVectorJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(responseVectorFileSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
