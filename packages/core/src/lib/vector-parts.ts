// What every vector file shares: the key and body shapes of the v1 files
// (requests and responses), the file envelope, the one way a file is parsed
// and its JSON Schema.
import * as z from 'zod/mini';
import type { $ZodType, output, SomeType } from 'zod/v4/core';
import { SigilError } from '../errors.js';
import { KEY_ENCODINGS } from '../key.js';
import { describeIssue } from '../options/describe.js';
import { parseOptions } from '../options/parse.js';

/** @internal */
export const keySchema = z.strictObject({
  id: z.string().check(z.describe('Key id, as in the kid parameter.')),
  secret: z.string().check(z.describe('The shared secret, encoded as `encoding` says.')),
  encoding: z.enum(KEY_ENCODINGS),
});

/** @internal */
export const bodySchema = z.union([
  z.null().check(z.describe('No body (hashes as the empty string).')),
  z.strictObject({ utf8: z.string() }).check(z.describe('Body bytes as the UTF-8 encoding of this string.')),
  z.strictObject({ base64: z.string() }).check(z.describe('Body bytes, standard base64 with padding.')),
]);

/** @internal A vector file: `$schema`, a title, where its cases come from, and at least one vector. */
export function vectorFile<V extends SomeType>(vector: V) {
  return z.strictObject({
    $schema: z.optional(z.string()),
    title: z.string(),
    description: z.string(),
    vectors: z.array(vector).check(z.minLength(1)),
  });
}

/** @internal The JSON Schema (draft 2020-12) of a file schema. */
export function jsonSchemaOf(schema: $ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

/** @internal Validates JSON with a file schema; throws `vector_invalid` naming the first offending path. */
export function parseWith<S extends $ZodType & { safeParse(value: unknown, params?: object): unknown }>(schema: S, json: unknown): output<S> {
  const result = parseOptions(schema, json);
  if (!result.success) throw new SigilError('vector_invalid', { detail: describeIssue(result.error, '(root)') });
  return result.data;
}
