// The schema of the v1 response vectors (test-vectors/v1-response-*.json,
// SPEC.md section 11); test-vectors/v1-response-schema.json is generated
// from it. Published through `@sigil/core/vectors`.
import * as z from 'zod/mini';
import { ERROR_CODES, type SigilErrorCode } from '../errors.js';
import { bodySchema, jsonSchemaOf, keySchema, parseWith, vectorFile } from '../lib/vector-parts.js';

const boundSchema = z
  .strictObject({
    nonce: z.string().check(z.describe("The request's nonce, as its Sigil-Signature carried it.")),
    mac: z.string().check(z.describe("The request's mac, base64url, as its Sigil-Signature carried it.")),
  })
  .check(z.describe('The request the response answers, as the client kept it when it signed the request.'));

const responseSchema = z.strictObject({
  status: z.number().check(z.int()),
  headers: z.array(z.tuple([z.string(), z.string()])).check(z.describe('Header field lines in order, as [name, value]; a name may repeat.')),
  body: bodySchema,
});

const policySchema = z.strictObject({
  now: z.number().check(z.int(), z.nonnegative(), z.describe("The client's clock, Unix seconds.")),
  toleranceSeconds: z.number().check(z.int(), z.nonnegative()),
  requiredHeaders: z.array(z.string()).check(z.describe('Response headers the client requires signed, besides content-type.')),
});

const positiveSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  title: z.string(),
  kind: z.literal('positive'),
  key: keySchema,
  request: boundSchema,
  response: responseSchema.check(z.describe('The response before signing (no Sigil-Response-Signature line).')),
  params: z.strictObject({
    algorithm: z.enum(['hmac-sha256', 'hmac-sha512']),
    timestamp: z.number().check(z.int(), z.nonnegative()),
    headers: z.array(z.string()).check(z.describe('Extra header names to sign, as a server passes them; content-type is added when present.')),
  }),
  verify: z
    .optional(z.strictObject({ keys: z.array(keySchema), policy: policySchema }))
    .check(z.describe('How the client verifies. Default: the signing key alone, now = timestamp, tolerance 300, no required headers.')),
  expected: z.strictObject({
    canonical: z.string().check(z.describe('The response canonical string, LF-separated, no trailing LF.')),
    mac: z.string().check(z.describe('base64url, no padding.')),
    header: z.string().check(z.describe('The Sigil-Response-Signature field value.')),
  }),
});

const negativeSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  title: z.string(),
  kind: z.literal('negative'),
  keys: z.array(keySchema).check(z.describe('The client key set; several entries may share an id (rotation).')),
  request: boundSchema,
  response: responseSchema.check(z.describe('The response as received, Sigil-Response-Signature included (or not).')),
  policy: policySchema,
  expected: z.strictObject({ error: z.enum(ERROR_CODES as [SigilErrorCode, ...SigilErrorCode[]]) }),
});

/** One positive or negative response vector. */
export const responseVectorSchema = z.discriminatedUnion('kind', [positiveSchema, negativeSchema]);

/** A response vector file. */
export const responseVectorFileSchema = vectorFile(responseVectorSchema);

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
  return jsonSchemaOf(responseVectorFileSchema);
}
