// headerValue matches field names without lowercasing each one (request.ts,
// sameName). Against the plain definition (SPEC.md section 2.3: names
// compared in ASCII lowercase, lines trimmed and joined with ", "), for
// names of any case, including pairs of one length that differ late.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerValue, type HeaderList } from '@sigil/core';

const NAMES = ['host', 'date', 'x-ab', 'x-az', 'x-za', 'content-type', 'x-request-id', 'content-typf'];
const anyCase = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) =>
    [...name].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join(''),
  );
const line = fc.tuple(fc.constantFrom(...NAMES).chain(anyCase), fc.stringMatching(/^[ \t]?[a-z0-9 ]{0,6}[ \t]?$/));

function reference(lines: HeaderList, lower: string): string | undefined {
  const values = lines.filter(([n]) => n.replace(/[A-Z]/g, (c) => c.toLowerCase()) === lower).map(([, v]) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
  return values.length === 0 ? undefined : values.join(', ');
}

describe('headerValue', () => {
  it('finds the lines of a name in any case, as the plain definition does', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.constantFrom(...NAMES), (lines, lower) => {
        expect(headerValue(lines, lower)).toBe(reference(lines, lower));
      }),
      { numRuns: 2000 },
    );
  });
});
