// Component identifiers (RFC 9421 section 2): an sf-string naming a field
// (lowercase) or a derived component (@...), with parameters.
import { SigilError, type SigilErrorCode } from '../errors.js';
import { parseItem } from './sf/parse.js';
import { serializeItem, serializeParams } from './sf/serialize.js';
import type { BareItem, Item, Parameters } from './sf/types.js';

/** A component identifier as an object: its name and its parameters, in order. */
export interface ComponentIdentifier {
  /** A lowercase field name (`content-type`) or a derived component (`@method`). */
  readonly name: string;
  /** e.g. `{ name: 'Pet' }` for `@query-param`, `{ key: 'a' }` or `{ sf: true }` for fields. */
  readonly params?: Parameters | Readonly<Record<string, BareItem>>;
}

/**
 * A component as a caller writes it: a bare name (`'@method'`,
 * `'content-type'`), a serialised identifier (`'"@query-param";name="Pet"'`)
 * or a ComponentIdentifier.
 */
export type ComponentInput = string | ComponentIdentifier;

/**
 * Most components one signature may cover.
 *
 * @example
 * if (components.length > MAX_COMPONENTS) throw new Error('too many');
 */
export const MAX_COMPONENTS = 64;

function toParams(params: ComponentIdentifier['params']): Parameters {
  if (params === undefined) return new Map();
  if (params instanceof Map) return params;
  return new Map(Object.entries(params as Record<string, BareItem>));
}

/**
 * @internal A caller's component as an sf item. Throws `invalid_option`
 * naming `option` when it is not a component identifier.
 */
export function componentItem(input: ComponentInput, option: string): Item {
  if (typeof input === 'string') {
    if (!input.startsWith('"')) return { value: input, params: new Map() };
    try {
      const item = parseItem(input);
      if (typeof item.value === 'string') return item;
    } catch {
      // reported below
    }
    throw new SigilError('invalid_option', { detail: `${option} holds a component that is not an sf-string identifier` });
  }
  if (typeof input !== 'object' || input === null || typeof input.name !== 'string') {
    throw new SigilError('invalid_option', { detail: `${option} holds a component without a name` });
  }
  return { value: input.name, params: toParams(input.params) };
}

function identity(item: Item): string {
  // Parameters compare as a set: the same parameters in another order name
  // the same component.
  const sorted = new Map([...item.params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${String(item.value)}${serializeParams(sorted)}`;
}

/**
 * @internal Checks a covered-components list and returns each identifier
 * serialised. `code` is the error for a malformed list: received lists are
 * `signature_header_malformed`, a caller's are `invalid_option`.
 */
export function checkCovered(items: readonly Item[], code: SigilErrorCode): string[] {
  if (items.length > MAX_COMPONENTS) throw new SigilError(code, { detail: `at most ${MAX_COMPONENTS} covered components` });
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const item of items) {
    if (typeof item.value !== 'string') throw new SigilError(code, { detail: 'a component identifier must be an sf-string' });
    if (item.value === '@signature-params') throw new SigilError(code, { detail: '@signature-params cannot be covered' });
    if (item.value.length === 0 || item.value !== item.value.toLowerCase()) {
      throw new SigilError(code, { detail: 'component names must be lowercase' });
    }
    const key = identity(item);
    if (seen.has(key)) throw new SigilError(code, { detail: 'a component is covered twice' });
    seen.add(key);
    try {
      ids.push(serializeItem(item));
    } catch {
      throw new SigilError(code, { detail: 'a component identifier cannot be serialised' });
    }
  }
  return ids;
}

/**
 * The serialised form of a component identifier, as it appears in the
 * signature base and in Signature-Input.
 *
 * @example
 * componentId('@method');                                   // '"@method"'
 * componentId({ name: '@query-param', params: { name: 'Pet' } }); // '"@query-param";name="Pet"'
 */
export function componentId(input: ComponentInput): string {
  return checkCovered([componentItem(input, 'component')], 'invalid_option')[0]!;
}
