import { isSigilError, SigilError } from '../errors.js';
import { checkCovered, componentItem, type ComponentInput } from './components.js';
import { derivedValue } from './derived.js';
import { fieldValue, type StructuredFieldType } from './fields.js';
import { paramsMap, type SignatureParamsInput } from './params.js';
import { checkRequest, type Rfc9421Request } from './request.js';
import { serializeInnerList } from './sf/serialize.js';
import type { InnerList, Parameters } from './sf/types.js';

/** Options of signatureBase(). */
export interface SignatureBaseOptions {
  /**
   * RFC 8941 types of structured fields covered with `sf` or `key`, besides
   * those in KNOWN_STRUCTURED_FIELDS (lowercase names).
   */
  readonly structuredFields?: Readonly<Record<string, StructuredFieldType>>;
}

/** @internal Reads one covered component's value. */
export type ComponentResolver = (name: string, params: Parameters) => string;

/** @internal The base and the serialised identifiers of an inner list, each value read by `resolve`. */
export function buildBase(
  list: InnerList,
  resolve: ComponentResolver,
  code: 'signature_header_malformed' | 'invalid_option',
): { base: string; components: string[]; signatureParams: string } {
  const ids = checkCovered(list.items, code);
  let base = '';
  for (let i = 0; i < ids.length; i++) {
    const item = list.items[i]!;
    let value: string;
    try {
      value = resolve(item.value as string, item.params);
    } catch (error) {
      // A signer's own bad component list is a caller error, not a bad header.
      if (code === 'invalid_option' && isSigilError(error, 'signature_header_malformed')) {
        throw new SigilError('invalid_option', { detail: error.message.replace(/^[^:]*: /, 'components: ') });
      }
      throw error;
    }
    base += `${ids[i]}: ${value}\n`;
  }
  let signatureParams: string;
  try {
    signatureParams = serializeInnerList(list);
  } catch {
    throw new SigilError(code, { detail: 'signature parameters cannot be serialised' });
  }
  return { base: `${base}"@signature-params": ${signatureParams}`, components: ids, signatureParams };
}

/** @internal How a request's components are read: derived from the request, or its fields. */
export function requestResolver(request: Rfc9421Request, options: SignatureBaseOptions): ComponentResolver {
  checkRequest(request);
  return (name, params) =>
    name.startsWith('@') ? derivedValue(request, name, params) : fieldValue(request.headers, name, params, options.structuredFields);
}

/** @internal The base and the serialised identifiers, for an already-built inner list. */
export function baseOf(
  request: Rfc9421Request,
  list: InnerList,
  options: SignatureBaseOptions,
  code: 'signature_header_malformed' | 'invalid_option',
): { base: string; components: string[]; signatureParams: string } {
  return buildBase(list, requestResolver(request, options), code);
}

/**
 * The signature base of RFC 9421 section 2.5: one line per covered
 * component, `"<identifier>": <value>`, then the `"@signature-params"`
 * line; LF between lines, none at the end.
 *
 * Throws a SigilError: `signed_header_missing` for an absent component,
 * `header_value_invalid` for a field value outside visible ASCII,
 * `invalid_option` for a duplicated, unknown or malformed component.
 *
 * @example
 * signatureBase(req, ['date', '@authority', 'content-type'],
 *   { created: 1618884473, keyid: 'test-shared-secret' });
 * // '"date": Tue, 20 Apr 2021 02:07:55 GMT\n"@authority": example.com\n...'
 */
export function signatureBase(
  request: Rfc9421Request,
  components: readonly ComponentInput[],
  params: SignatureParamsInput | Parameters,
  options: SignatureBaseOptions = {},
): string {
  if (!Array.isArray(components)) throw new SigilError('invalid_option', { detail: 'components must be an array' });
  const items = components.map((c) => componentItem(c, 'components'));
  return baseOf(request, { items, params: paramsMap(params) }, options, 'invalid_option').base;
}
