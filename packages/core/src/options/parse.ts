// One way to validate an options object with a zod (mini) schema: the parse
// that gets Sigil's own English messages (./message.ts).
import type { $ZodError, $ZodType, output } from 'zod/v4/core';
import { issueMessage } from './message.js';

/**
 * What {@link parseOptions} returns: the parsed value, or zod's error.
 *
 * @example
 * const parsed: ParsedOptions<{ maxEntries?: number }> = parseOptions(schema, options);
 */
export type ParsedOptions<T> = { readonly success: true; readonly data: T } | { readonly success: false; readonly error: $ZodError };

/**
 * `schema.safeParse(value)` with Sigil's English issue messages. Synchronous;
 * never throws for bad input.
 *
 * @example
 * const parsed = parseOptions(z.strictObject({ maxEntries: z.optional(z.number()) }), options);
 * if (!parsed.success) throw new SigilError('invalid_option', { detail: describeIssue(parsed.error, 'options') });
 */
export function parseOptions<S extends $ZodType & { safeParse(value: unknown, params?: object): unknown }>(schema: S, value: unknown): ParsedOptions<output<S>> {
  return schema.safeParse(value, { error: issueMessage }) as ParsedOptions<output<S>>;
}
