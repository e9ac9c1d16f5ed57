// RFC 8941 serialisation (section 4.1). Serialising what parse.ts produced
// gives the canonical form of the field: the form RFC 9421 signs.
import { SigilError } from '../../errors.js';
import { base64Encode } from '../../lib/encoding.js';
import { isInnerList, SfDecimal, SfToken, type BareItem, type Dictionary, type InnerList, type Item, type List, type Member, type Parameters } from './types.js';

const KEY = /^[a-z*][a-z0-9_\-.*]*$/;
const TOKEN = /^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*$/;
const STRING = /^[\x20-\x7e]*$/;
const MAX_INTEGER = 999_999_999_999_999;

function fail(detail: string): never {
  throw new SigilError('invalid_option', { detail: `structured field: ${detail}` });
}

function serializeDecimal(value: number): string {
  if (!Number.isFinite(value)) fail('a decimal must be finite');
  // Round half to even at three fractional digits.
  const scaled = value * 1000;
  let rounded = Math.round(scaled);
  if (Math.abs(scaled % 1) === 0.5 && rounded % 2 !== 0) rounded -= 1;
  const fixed = (rounded / 1000).toFixed(3);
  const [int = '', frac = ''] = fixed.replace('-', '').split('.');
  if (int.length > 12) fail('a decimal has at most 12 integer digits');
  const trimmed = frac.replace(/0+$/, '') || '0';
  return `${rounded < 0 ? '-' : ''}${int}.${trimmed}`;
}

/**
 * Serialises one bare item. Throws `invalid_option` for a value RFC 8941
 * cannot represent (a non-integer number, a string outside printable ASCII...).
 *
 * @example
 * serializeBareItem(new SfToken('foo')); // 'foo'
 * serializeBareItem('a "b"');            // '"a \\"b\\""'
 */
export function serializeBareItem(value: BareItem): string {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || Math.abs(value) > MAX_INTEGER) fail('an integer must have at most 15 digits');
    return String(value);
  }
  if (typeof value === 'string') {
    if (!STRING.test(value)) fail('a string may hold printable ASCII only');
    return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (value instanceof Uint8Array) return `:${base64Encode(value)}:`;
  if (value instanceof SfToken) {
    if (!TOKEN.test(value.value)) fail('not a valid token');
    return value.value;
  }
  if (value instanceof SfDecimal) return serializeDecimal(value.value);
  return fail('not a bare item');
}

function serializeKey(key: string): string {
  if (!KEY.test(key)) fail('not a valid key');
  return key;
}

/**
 * Serialises parameters: `;key=value` each, `;key` for a true boolean.
 *
 * @example
 * serializeParams(new Map([['created', 1], ['keyid', 'k']])); // ';created=1;keyid="k"'
 */
export function serializeParams(params: Parameters): string {
  let out = '';
  for (const [key, value] of params) out += value === true ? `;${serializeKey(key)}` : `;${serializeKey(key)}=${serializeBareItem(value)}`;
  return out;
}

/**
 * Serialises an item with its parameters.
 *
 * @example
 * serializeItem({ value: 5, params: new Map([['foo', new SfToken('bar')]]) }); // '5;foo=bar'
 */
export function serializeItem(item: Item): string {
  return serializeBareItem(item.value) + serializeParams(item.params);
}

/**
 * Serialises an inner list: `(a b c)` and its parameters.
 *
 * @example
 * serializeInnerList({ items: [{ value: '@method', params: new Map() }], params: new Map([['created', 1]]) });
 * // '("@method");created=1'
 */
export function serializeInnerList(list: InnerList): string {
  return `(${list.items.map(serializeItem).join(' ')})${serializeParams(list.params)}`;
}

function serializeMember(member: Member): string {
  return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
}

/**
 * Serialises an sf-list.
 *
 * @example
 * serializeList(parseList('sugar,   tea')); // 'sugar, tea'
 */
export function serializeList(list: List): string {
  return list.map(serializeMember).join(', ');
}

/**
 * Serialises an sf-dictionary; a member whose value is boolean true is
 * written as its key alone.
 *
 * @example
 * serializeDictionary(parseDictionary('a=?1,b=2')); // 'a, b=2'
 */
export function serializeDictionary(dict: Dictionary): string {
  const parts: string[] = [];
  for (const [key, member] of dict) {
    if (!isInnerList(member) && member.value === true) parts.push(serializeKey(key) + serializeParams(member.params));
    else parts.push(`${serializeKey(key)}=${serializeMember(member)}`);
  }
  return parts.join(', ');
}
