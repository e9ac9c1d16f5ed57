// RFC 8941 conformance: every example of RFC 8941 section 3 parses to the
// value the RFC describes and serialises back to its canonical form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSigilError } from '@sigil/core';
import {
  parseDictionary,
  parseItem,
  parseList,
  serializeBareItem,
  serializeDictionary,
  serializeItem,
  serializeList,
  SfDecimal,
  SfToken,
  type BareItem,
  type InnerList,
  type Item,
} from '@sigil/core/rfc9421';

const bytes = (s: string) => new TextEncoder().encode(s);
const noParams = new Map();

describe('RFC 8941 examples', () => {
  it('3.1 lists', () => {
    const list = parseList('sugar, tea, rum');
    expect(list.map((m) => String((m as Item).value))).toEqual(['sugar', 'tea', 'rum']);
    expect((list[0] as Item).value).toBeInstanceOf(SfToken);
  });

  it('3.1.1 inner lists, including the empty one', () => {
    const text = '("foo" "bar"), ("baz"), ("bat" "one"), ()';
    const list = parseList(text) as InnerList[];
    expect(list.map((l) => l.items.map((i) => i.value))).toEqual([['foo', 'bar'], ['baz'], ['bat', 'one'], []]);
    expect(serializeList(list)).toBe(text);
    const withParams = '("foo"; a=1;b=2);lvl=5, ("bar" "baz");lvl=1';
    const parsed = parseList(withParams) as InnerList[];
    expect(parsed[0]!.items[0]!.params).toEqual(new Map([['a', 1], ['b', 2]]));
    expect(parsed[0]!.params.get('lvl')).toBe(5);
    expect(serializeList(parsed)).toBe('("foo";a=1;b=2);lvl=5, ("bar" "baz");lvl=1');
  });

  it('3.1.2 parameters', () => {
    const list = parseList('abc;a=1;b=2; cde_456, (ghi;jk=4 l);q="9";r=w');
    expect((list[0] as Item).params).toEqual(new Map<string, BareItem>([['a', 1], ['b', 2], ['cde_456', true]]));
    expect(serializeList(list)).toBe('abc;a=1;b=2;cde_456, (ghi;jk=4 l);q="9";r=w');
  });

  it('3.2 dictionaries', () => {
    const d1 = parseDictionary('en="Applepie", da=:w4ZibGV0w6ZydGU=:');
    expect((d1.get('en') as Item).value).toBe('Applepie');
    expect((d1.get('da') as Item).value).toEqual(bytes('Æbletærte'));
    expect(serializeDictionary(d1)).toBe('en="Applepie", da=:w4ZibGV0w6ZydGU=:');

    const d2 = parseDictionary('a=?0, b, c; foo=bar');
    expect((d2.get('a') as Item).value).toBe(false);
    expect((d2.get('b') as Item).value).toBe(true);
    expect(((d2.get('c') as Item).params.get('foo') as SfToken).value).toBe('bar');
    expect(serializeDictionary(d2)).toBe('a=?0, b, c;foo=bar');

    const d3 = parseDictionary('rating=1.5, feelings=(joy sadness)');
    expect((d3.get('rating') as Item).value).toEqual(new SfDecimal(1.5));
    expect(serializeDictionary(d3)).toBe('rating=1.5, feelings=(joy sadness)');

    const text = 'a=(1 2), b=3, c=4;aa=bb, d=(5 6);valid';
    expect(serializeDictionary(parseDictionary(text))).toBe(text);
  });

  it('3.3 items and every bare item type', () => {
    const item = parseItem('5; foo=bar');
    expect(item.value).toBe(5);
    expect(serializeItem(item)).toBe('5;foo=bar');
    expect(parseItem('42').value).toBe(42);
    expect(parseItem('-42').value).toBe(-42);
    expect(parseItem('4.5').value).toEqual(new SfDecimal(4.5));
    expect(parseItem('"hello world"').value).toBe('hello world');
    expect(parseItem('foo123/456').value).toEqual(new SfToken('foo123/456'));
    expect(parseItem(':cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:').value).toEqual(bytes('pretend this is binary content.'));
    expect(parseItem('?1').value).toBe(true);
    expect(parseItem('"a \\"q\\" \\\\"').value).toBe('a "q" \\');
  });

  it('serialises decimals with 1 to 3 fractional digits, rounding half to even', () => {
    expect(serializeBareItem(new SfDecimal(1))).toBe('1.0');
    expect(serializeBareItem(new SfDecimal(1.25))).toBe('1.25');
    expect(serializeBareItem(new SfDecimal(0.0025))).toBe('0.002');
    expect(serializeBareItem(new SfDecimal(-3.5))).toBe('-3.5');
    expect(parseItem('1.50').value).toEqual(new SfDecimal(1.5));
  });

  it('keeps a duplicate key in its first position with the later value', () => {
    expect(serializeDictionary(parseDictionary('a=1, b=2, a=3'))).toBe('a=3, b=2');
    expect(serializeItem(parseItem('1;x=1;y=2;x=3'))).toBe('1;x=3;y=2');
  });

  const invalid: Array<[string, string]> = [
    ['a=1,', 'trailing comma'],
    ['a=1,,b=2', 'empty member'],
    ['A=1', 'uppercase key'],
    ['a=1 b=2', 'no comma'],
    ['\ta=1', 'leading HTAB'],
    ['a="unterminated', 'unterminated string'],
    ['a="bad\\n"', 'bad escape'],
    ['a="é"', 'non-ASCII string'],
    ['a=1234567890123456', '16-digit integer'],
    ['a=1.2345', '4 fractional digits'],
    ['a=1234567890123.5', '13 integer digits in a decimal'],
    ['a=1.', 'decimal without fraction'],
    ['a=?2', 'bad boolean'],
    ['a=:AB=:', 'non-canonical base64'],
    ['a=:YQ:', 'unpadded base64'],
    ['a=:a*b:', 'non-base64 character'],
    ['a=(1 2', 'unterminated inner list'],
    ['a=(1,2)', 'comma in an inner list'],
    ['a=@1', 'RFC 9651 date'],
    ['a=%"x"', 'RFC 9651 display string'],
  ];
  it.each(invalid)('rejects %j (%s) with signature_header_malformed', (text) => {
    expect(() => parseDictionary(text)).toThrow(expect.objectContaining({ code: 'signature_header_malformed' }));
  });

  it('rejects what RFC 8941 cannot serialise', () => {
    for (const value of [1.5, 1e16, 'é', '\n', new SfToken('1abc')] as BareItem[]) {
      expect(() => serializeBareItem(value)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
    }
  });
});

const key = fc.stringMatching(/^[a-z*][a-z0-9_.*-]{0,6}$/);
const bare: fc.Arbitrary<BareItem> = fc.oneof(
  fc.integer({ min: -1e15 + 1, max: 1e15 - 1 }),
  fc.integer({ min: -999_999_999, max: 999_999_999 }).map((n) => new SfDecimal(n / 1000)),
  fc.stringMatching(/^[\x20-\x7e]{0,12}$/),
  fc.stringMatching(/^[A-Za-z*][A-Za-z0-9:/!#$%&'*+.^_`|~-]{0,8}$/).map((t) => new SfToken(t)),
  fc.uint8Array({ maxLength: 12 }),
  fc.boolean(),
);
const params = fc.array(fc.tuple(key, bare), { maxLength: 3 }).map((e) => new Map(e));
const item = fc.record({ value: bare, params });
const member = fc.oneof(item, fc.record({ items: fc.array(item, { maxLength: 3 }), params }));

describe('RFC 8941 properties', () => {
  it('serialise, parse, serialise is stable for any dictionary', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, member), { maxLength: 4 }), (entries) => {
        const text = serializeDictionary(new Map(entries));
        expect(serializeDictionary(parseDictionary(text))).toBe(text);
      }),
    );
  });

  it('never throws anything but a SigilError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        for (const parse of [parseDictionary, parseList, parseItem]) {
          try {
            parse(text);
          } catch (error) {
            expect(isSigilError(error, 'signature_header_malformed')).toBe(true);
          }
        }
      }),
    );
  });

  it('parses with no params when there are none', () => {
    expect(parseItem('abc').params).toEqual(noParams);
  });
});
