// @sigil/core/options words zod/mini issues exactly as zod's English locale
// (the default of classic zod, which Sigil used before) words them: the same
// schema built both ways, the same input, the same message, for arbitrary
// inputs (importing classic zod loads its locale globally; a parse's own
// `error` map outranks it, so issueMessage is what is compared). And describeIssue names the option the way every package did.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z as classic } from 'zod';
import * as mini from 'zod/mini';
import { describeIssue, issueMessage, parseOptions } from '@sigil/core/options';

class Thing {}

// Each pair is one schema as classic zod and as zod/mini, covering every
// issue kind option schemas raise.
const PAIRS: ReadonlyArray<readonly [string, classic.ZodType, mini.ZodMiniType]> = [
  ['string', classic.string(), mini.string()],
  ['number', classic.number(), mini.number()],
  ['boolean', classic.boolean(), mini.boolean()],
  ['date', classic.date(), mini.date()],
  ['int in a range', classic.number().int().min(1).max(60_000), mini.number().check(mini.int(), mini.minimum(1), mini.maximum(60_000))],
  ['positive int', classic.number().int().positive().max(Number.MAX_SAFE_INTEGER), mini.number().check(mini.int(), mini.positive(), mini.maximum(Number.MAX_SAFE_INTEGER))],
  ['exclusive bounds', classic.number().gt(0).lt(1), mini.number().check(mini.gt(0), mini.lt(1))],
  ['string length', classic.string().min(2).max(4), mini.string().check(mini.minLength(2), mini.maxLength(4))],
  ['exact length', classic.string().length(3), mini.string().check(mini.length(3))],
  ['pattern', classic.string().regex(/^[a-z]+$/), mini.string().check(mini.regex(/^[a-z]+$/))],
  ['multiple', classic.number().multipleOf(5), mini.number().check(mini.multipleOf(5))],
  ['array size', classic.array(classic.string()).min(1).max(2), mini.array(mini.string()).check(mini.minLength(1), mini.maxLength(2))],
  ['enum', classic.enum(['v1', 'rfc9421']), mini.enum(['v1', 'rfc9421'])],
  ['literal', classic.literal('*'), mini.literal('*')],
  ['union', classic.union([classic.string(), classic.array(classic.string())]), mini.union([mini.string(), mini.array(mini.string())])],
  ['record', classic.record(classic.string().regex(/^k/), classic.number()), mini.record(mini.string().check(mini.regex(/^k/)), mini.number())],
  ['strict object', classic.object({ a: classic.number().optional(), b: classic.string().optional() }).strict(), mini.strictObject({ a: mini.optional(mini.number()), b: mini.optional(mini.string()) })],
  ['discriminated union', classic.discriminatedUnion('kind', [classic.object({ kind: classic.literal('a') }), classic.object({ kind: classic.literal('b') })]), mini.discriminatedUnion('kind', [mini.object({ kind: mini.literal('a') }), mini.object({ kind: mini.literal('b') })])],
  ['tuple', classic.tuple([classic.string(), classic.string()]), mini.tuple([mini.string(), mini.string()])],
  ['set', classic.set(classic.number()).max(1), mini.set(mini.number()).check(mini.maxSize(1))],
];

const odd = fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, 1.5, -1, 0, 2 ** 60, null, undefined, new Thing(), new Date(0), new Set([1, 2]), new Map(), Object.create(null), () => 1, 10n, Symbol('s'), 'abc', 'kx', '', ['a', 'b', 'c'], [5], { kind: 'c' }, { a: 'x' }, { c: 1 }, { c: 1, d: 2 }, ['x', 1]);
const inputs = fc.oneof(odd, fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true }));

function messages(issues: readonly { message: string; code: string }[]): string[] {
  return issues.map((issue) => issue.message);
}

describe('issueMessage', () => {
  it.each(PAIRS)('words %s issues as zod English locale does', (_name, full, small) => {
    fc.assert(
      fc.property(inputs, (input) => {
        const expected = full.safeParse(input);
        const actual = small.safeParse(input, { error: issueMessage });
        expect(actual.success).toBe(expected.success);
        if (!expected.success && !actual.success) expect(messages(actual.error.issues)).toEqual(messages(expected.error.issues));
      }),
      { numRuns: 300 },
    );
  });

  it('never quotes a received value, only its type', () => {
    const result = parseOptions(mini.strictObject({ secret: mini.number() }), { secret: 'hunter2-super-secret' });
    expect(!result.success && describeIssue(result.error, 'options')).toBe('secret: Invalid input: expected number, received string');
  });
});

describe('describeIssue', () => {
  const schema = mini.strictObject({ keys: mini.optional(mini.union([mini.string(), mini.strictObject({ key: mini.number() })])), n: mini.optional(mini.number()) });
  const first = (value: unknown, descend?: boolean) => {
    const result = parseOptions(schema, value);
    if (result.success) throw new Error('parsed');
    return describeIssue(result.error, 'options', descend === undefined ? {} : { descend });
  };

  it('names the path of the first issue, or the root', () => {
    expect(first({ n: 'x' })).toBe('n: Invalid input: expected number, received string');
    expect(first(5)).toBe('options: Invalid input: expected object, received number');
    expect(first({ m: 1 })).toBe('options: Unrecognized key: "m"');
  });

  it("descends into the union branch that got furthest only when asked (the verifier's keys)", () => {
    expect(first({ keys: { key: 'x' } })).toBe('keys: Invalid input');
    expect(first({ keys: { key: 'x' } }, true)).toBe('keys.key: Invalid input: expected number, received string');
  });
});
