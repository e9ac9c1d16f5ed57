// The schema of the shared test vectors (test-vectors/*.json). Published as
// the subpath `@sigil/core/vectors` so the main entry stays free of zod for
// browser bundles. test-vectors/schema.json is generated from it.
import * as z from 'zod/mini';
import { ERROR_CODES, type SigilErrorCode } from './errors.js';

import { bodySchema, jsonSchemaOf, keySchema, parseWith, vectorFile } from './lib/vector-parts.js';

const requestSchema = z
  .strictObject({
    method: z.string(),
    target: z.string().check(z.describe('Path and query exactly as sent.')),
    headers: z
      .array(z.tuple([z.string(), z.string()]))
      .check(z.describe('Header field lines in order, as [name, value]; a name may repeat.')),
    body: bodySchema,
  });

const algorithmSchema = z.enum(['hmac-sha256', 'hmac-sha512']);

const policySchema = z
  .strictObject({
    now: z.number().check(z.int(), z.nonnegative()).check(z.describe("The verifier's clock, Unix seconds.")),
    toleranceSeconds: z.number().check(z.int(), z.nonnegative()).check(z.describe('Accepted distance between ts and now, both ways.')),
    requiredHeaders: z.array(z.string()).check(z.describe('Headers the verifier requires signed, besides host.')),
    maxBodyBytes: z.optional(z.number().check(z.int(), z.positive())),
  });

const positiveSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
    title: z.string(),
    kind: z.literal('positive'),
    key: keySchema,
    request: requestSchema,
    params: z
      .strictObject({
        algorithm: algorithmSchema,
        timestamp: z.number().check(z.int(), z.nonnegative()),
        nonce: z.string(),
        headers: z.array(z.string()).check(z.describe('Extra header names to sign; host is always added.')),
      }),
    verify: z
      .optional(
        z.strictObject({
          keys: z.array(keySchema).check(z.describe('The verifier key set; several entries may share an id (rotation).')),
          policy: policySchema,
        }),
      )
      .check(z.describe('How the verifier is set up. Default: the signing key alone, now = timestamp, tolerance 300, no required headers.')),
    expected: z
      .strictObject({
        canonical: z.string().check(z.describe('The canonical string, LF-separated, no trailing LF.')),
        mac: z.string().check(z.describe('base64url, no padding.')),
        header: z.string().check(z.describe('The Sigil-Signature field value.')),
      }),
  });

const negativeSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
    title: z.string(),
    kind: z.literal('negative'),
    keys: z.array(keySchema).check(z.describe('The verifier key set; several entries may share an id (rotation).')),
    request: requestSchema.check(z.describe('The received request, Sigil-Signature header included (or not).')),
    policy: policySchema,
    expected: z
      .strictObject({
        error: z.enum(ERROR_CODES as [SigilErrorCode, ...SigilErrorCode[]]),
      }),
  });

/** One positive or negative vector. */
export const vectorSchema = z.discriminatedUnion('kind', [positiveSchema, negativeSchema]);

/** A vector file: a title, where its cases come from, and the vectors. */
export const vectorFileSchema = vectorFile(vectorSchema);

export type PositiveVector = z.infer<typeof positiveSchema>;
export type NegativeVector = z.infer<typeof negativeSchema>;
export type Vector = z.infer<typeof vectorSchema>;
export type VectorFile = z.infer<typeof vectorFileSchema>;
export type VectorRequest = z.infer<typeof requestSchema>;
export type VectorKey = z.infer<typeof keySchema>;

/**
 * Validates parsed JSON as a vector file. Throws `vector_invalid` naming the
 * first offending path.
 *
 * @example
 * const file = parseVectorFile(JSON.parse(readFileSync('test-vectors/v1-positive.json', 'utf8')));
 */
export function parseVectorFile(json: unknown): VectorFile {
  return parseWith(vectorFileSchema, json);
}

/** The JSON Schema (draft 2020-12) of a vector file, generated from the zod schema. */
export function vectorJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(vectorFileSchema);
}

export { responseVectorFileSchema, parseResponseVectorFile, responseVectorJsonSchema } from './response/vectors.js';
export type { ResponseVectorFile, ResponseVector, ResponseVectorResponse } from './response/vectors.js';
export { positiveVerifier, runVector, verifyVectorRequest, vectorKey, vectorRequest } from './vector-runner.js';
export type { VectorOutcome, VectorVerdict } from './vector-runner.js';
