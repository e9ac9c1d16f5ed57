// The schema of the RFC 9421 test vectors (test-vectors/rfc9421-*.json).
// test-vectors/rfc9421-schema.json is generated from it. Kept apart from
// core's v1 vector schema: the request needs a scheme and an authority, and
// a signature is a Signature-Input member rather than a header of its own.
import * as z from 'zod/mini';
import { jsonSchemaOf, parseWith, vectorFile } from '../lib/vector-parts.js';
import { ERROR_CODES, type SigilErrorCode } from '../errors.js';
import { KEY_ENCODINGS } from '../key.js';

const keySchema = z
  .strictObject({
    id: z.string().check(z.describe('The keyid the key is registered under.')),
    secret: z.string().check(z.describe('The shared secret, encoded as `encoding` says.')),
    encoding: z.enum(KEY_ENCODINGS),
    algorithm: z.literal('hmac-sha256').check(z.describe('The algorithm the key is bound to; the verifier never takes it from alg.')),
  });

const bodySchema = z.union([
  z.null().check(z.describe('No content.')),
  z.strictObject({ utf8: z.string() }).check(z.describe('Content bytes as the UTF-8 encoding of this string.')),
  z.strictObject({ base64: z.string() }).check(z.describe('Content bytes, standard base64 with padding.')),
]);

const requestSchema = z
  .strictObject({
    method: z.string(),
    scheme: z.enum(['http', 'https']),
    authority: z.optional(z.string()).check(z.describe('The target URI authority; absent: taken from the one Host line.')),
    target: z.string().check(z.describe('Path and query exactly as sent (origin-form).')),
    headers: z.array(z.tuple([z.string(), z.string()])).check(z.describe('Field lines in order, as [name, value]; a name may repeat.')),
    body: bodySchema,
  });

const sfTypes = z.record(z.string(), z.enum(['item', 'list', 'dictionary'])).check(z.describe('Types of structured fields covered with sf or key, beyond the known ones.'));

const positiveSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
    title: z.string(),
    source: z.string().check(z.describe('Where the case comes from: an RFC section, or "Sigil".')),
    kind: z.literal('positive'),
    key: keySchema,
    request: requestSchema.check(z.describe('The request before signing (no Signature-Input or Signature lines).')),
    structuredFields: z.optional(sfTypes),
    expected: z
      .strictObject({
        signatureInput: z.string().check(z.describe('The Signature-Input member the signer sends: label=(components);params.')),
        base: z.string().check(z.describe('The signature base, LF-separated, no trailing LF.')),
        signature: z.string().check(z.describe('The Signature member: label=:base64 MAC:.')),
      }),
  });

const digestSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
    title: z.string(),
    source: z.string(),
    kind: z.literal('digest'),
    body: bodySchema,
    algorithm: z.enum(['sha-256', 'sha-512']),
    expected: z.strictObject({ contentDigest: z.string().check(z.describe('The Content-Digest field value.')) }),
  });

const negativeSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
    title: z.string(),
    source: z.string(),
    kind: z.literal('negative'),
    keys: z.array(keySchema).check(z.describe('The verifier key set; several entries may share an id (rotation).')),
    request: requestSchema.check(z.describe('The received request, Signature-Input and Signature lines included (or not).')),
    options: z
      .strictObject({
        label: z.optional(z.string()),
        tag: z.optional(z.string()),
        requiredComponents: z.optional(z.array(z.string())).check(z.describe('Component identifiers the signature must cover; absent: the default policy.')),
        structuredFields: z.optional(sfTypes),
      }),
    expected: z.strictObject({ error: z.enum(ERROR_CODES as [SigilErrorCode, ...SigilErrorCode[]]) }),
  });

/**
 * One RFC 9421 vector: a signature to reproduce, a Content-Digest to compute, or a request to reject.
 *
 * @example
 * rfc9421VectorSchema.parse(file.vectors[0]).kind; // 'positive'
 */
export const rfc9421VectorSchema = z.discriminatedUnion('kind', [positiveSchema, digestSchema, negativeSchema]);

/**
 * An RFC 9421 vector file.
 *
 * @example
 * rfc9421VectorFileSchema.safeParse(json).success;
 */
export const rfc9421VectorFileSchema = vectorFile(rfc9421VectorSchema);

export type Rfc9421PositiveVector = z.infer<typeof positiveSchema>;
export type Rfc9421DigestVector = z.infer<typeof digestSchema>;
export type Rfc9421NegativeVector = z.infer<typeof negativeSchema>;
export type Rfc9421Vector = z.infer<typeof rfc9421VectorSchema>;
export type Rfc9421VectorFile = z.infer<typeof rfc9421VectorFileSchema>;
export type Rfc9421VectorRequest = z.infer<typeof requestSchema>;
export type Rfc9421VectorKey = z.infer<typeof keySchema>;

/**
 * Validates parsed JSON as an RFC 9421 vector file. Throws `vector_invalid`
 * naming the first offending path.
 *
 * @example
 * const file = parseRfc9421VectorFile(JSON.parse(readFileSync('test-vectors/rfc9421-positive.json', 'utf8')));
 */
export function parseRfc9421VectorFile(json: unknown): Rfc9421VectorFile {
  return parseWith(rfc9421VectorFileSchema, json);
}

/**
 * The JSON Schema (draft 2020-12) of an RFC 9421 vector file.
 *
 * @example
 * writeFileSync('rfc9421-schema.json', JSON.stringify(rfc9421VectorJsonSchema(), null, 2));
 */
export function rfc9421VectorJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(rfc9421VectorFileSchema);
}
