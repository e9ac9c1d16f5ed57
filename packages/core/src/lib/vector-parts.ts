// The key and body shapes every v1 vector file shares (requests and responses).
import { z } from 'zod';
import { SigilError } from '../errors.js';
import { KEY_ENCODINGS } from '../key.js';

/** @internal */
export const keySchema = z
  .object({
    id: z.string().describe('Key id, as in the kid parameter.'),
    secret: z.string().describe('The shared secret, encoded as `encoding` says.'),
    encoding: z.enum(KEY_ENCODINGS),
  })
  .strict();

/** @internal */
export const bodySchema = z.union([
  z.null().describe('No body (hashes as the empty string).'),
  z.object({ utf8: z.string() }).strict().describe('Body bytes as the UTF-8 encoding of this string.'),
  z.object({ base64: z.string() }).strict().describe('Body bytes, standard base64 with padding.'),
]);


/** @internal Validates JSON with a file schema; throws `vector_invalid` naming the first offending path. */
export function parseWith<T>(schema: z.ZodType<T>, json: unknown): T {
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SigilError('vector_invalid', { detail: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` });
  }
  return result.data;
}
