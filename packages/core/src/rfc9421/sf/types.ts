// The RFC 8941 data model. Integers are JS numbers; the other bare item
// types that a number or a string could be confused with get a class, so a
// value always serialises back to the type it was parsed as.

/**
 * An sf-token (RFC 8941 section 3.3.4): serialised without quotes.
 *
 * @example
 * serializeItem({ value: new SfToken('gzip'), params: new Map() }); // 'gzip'
 */
export class SfToken {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/**
 * An sf-decimal (RFC 8941 section 3.3.2): at most 12 integer and 3 fractional digits.
 *
 * @example
 * serializeBareItem(new SfDecimal(1)); // '1.0'
 */
export class SfDecimal {
  constructor(readonly value: number) {}
}

/**
 * An RFC 8941 bare item: sf-integer (number), sf-decimal, sf-string
 * (string), sf-token, sf-byte-sequence (Uint8Array) or sf-boolean.
 */
export type BareItem = number | string | boolean | Uint8Array | SfToken | SfDecimal;

/** Parameters in the order received (a later duplicate key overwrites in place, as RFC 8941 says). */
export type Parameters = ReadonlyMap<string, BareItem>;

/** An item with its parameters. */
export interface Item {
  readonly value: BareItem;
  readonly params: Parameters;
}

/** An inner list with its parameters. */
export interface InnerList {
  readonly items: readonly Item[];
  readonly params: Parameters;
}

/** A list or dictionary member. */
export type Member = Item | InnerList;

/** An sf-dictionary: members in order. */
export type Dictionary = ReadonlyMap<string, Member>;

/** An sf-list. */
export type List = readonly Member[];

/**
 * True when the member is an inner list.
 *
 * @example
 * isInnerList(parseDictionary('sig1=("@method")').get('sig1')!); // true
 */
export function isInnerList(member: Member): member is InnerList {
  return Array.isArray((member as InnerList).items);
}
