// The key and body shapes every v1 vector file shares (requests and
// responses), and the one way a vector file is parsed.
import * as z from 'zod/mini';
import type { $ZodType, output } from 'zod/v4/core';
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

/** @internal Validates JSON with a file schema; throws `vector_invalid` naming the first offending path. */
export function parseWith<S extends $ZodType & { safeParse(value: unknown, params?: object): unknown }>(schema: S, json: unknown): output<S> {
  const result = parseOptions(schema, json);
  if (!result.success) throw new SigilError('vector_invalid', { detail: describeIssue(result.error, '(root)') });
  return result.data;
}
