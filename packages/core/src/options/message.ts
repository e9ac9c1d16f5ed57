// English messages for zod issues, produced here rather than by zod's locale:
// `zod/mini` loads no locale (that is much of why it is small), and a global
// `z.config()` would change the messages of a user's own schemas. The text is
// zod's English locale for the issue kinds option schemas raise, byte for
// byte, so option errors read as they always did. Messages state types and
// limits, never the received value (it might be a secret).
import type { $ZodRawIssue } from 'zod/v4/core';

const SIZED: Readonly<Record<string, string>> = { string: 'characters', file: 'bytes', array: 'items', set: 'items', map: 'entries' };

/** zod's name for the type of a received value ("number", "array", "NaN", a class name). */
function typeName(input: unknown): string {
  if (typeof input === 'number') return Number.isNaN(input) ? 'NaN' : Number.isFinite(input) ? 'number' : String(input);
  if (typeof input !== 'object') return typeof input;
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  const proto: unknown = Object.getPrototypeOf(input);
  const ctor = (input as { constructor?: { name?: string } }).constructor;
  return proto !== Object.prototype && 'constructor' in input && ctor ? String(ctor.name) : 'object';
}

const shown = (value: unknown): string => (typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? `"${value}"` : `${String(value)}`);

/**
 * The message of one zod issue, as zod's English locale words it. Pass it
 * as the `error` of a parse (see {@link parseOptions}); it is consulted only
 * for issues whose schema or check gave no message of its own.
 *
 * @example
 * schema.safeParse(options, { error: issueMessage });
 */
export function issueMessage(issue: $ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${issue.expected === 'nan' ? 'NaN' : issue.expected}, received ${typeName(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `Invalid input: expected ${shown(issue.values[0])}` : `Invalid option: expected one of ${issue.values.map(shown).join('|')}`;
    case 'too_big': {
      const adj = issue.exact ? 'exactly ' : issue.inclusive ? '<=' : '<';
      const unit = SIZED[issue.origin ?? ''];
      return `Too big: expected ${issue.origin ?? 'value'} to ${unit ? 'have' : 'be'} ${adj}${String(issue.maximum)}${unit ? ` ${unit}` : ''}`;
    }
    case 'too_small': {
      const adj = issue.exact ? 'exactly ' : issue.inclusive ? '>=' : '>';
      const unit = SIZED[issue.origin];
      return `Too small: expected ${issue.origin} to ${unit ? 'have' : 'be'} ${adj}${String(issue.minimum)}${unit ? ` ${unit}` : ''}`;
    }
    case 'invalid_format':
      // The string formats Sigil's schemas use: patterns (z.regex) only.
      if (issue.format === 'regex') return `Invalid string: must match pattern ${String(issue.pattern)}`;
      return `Invalid ${issue.format}`;
    case 'not_multiple_of':
      return `Invalid number: must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.map(shown).join(', ')}`;
    case 'invalid_key':
      return `Invalid key in ${issue.origin}`;
    case 'invalid_union': {
      const options = (issue as { options?: readonly unknown[] }).options;
      if (Array.isArray(options) && options.length > 0) return `Invalid discriminator value. Expected ${options.map((o) => `'${String(o)}'`).join(' | ')}`;
      return issue.inclusive === false ? 'Invalid input: more than one option matched' : 'Invalid input';
    }
    case 'invalid_element':
      return `Invalid value in ${issue.origin}`;
    default:
      return 'Invalid input';
  }
}
