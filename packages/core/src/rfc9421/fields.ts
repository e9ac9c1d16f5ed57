// HTTP field components (RFC 9421 section 2.1) with the sf, key and bs
// parameters. The plain value is core's normalised header value, so a field
// reads the same in v1 and in RFC 9421.
import { isSigilError, SigilError } from '../errors.js';
import { base64Encode } from '../lib/encoding.js';
import { HEADER_NAME, trimOws } from '../lib/syntax.js';
import { headerValue, type HeaderList, type HeadersLike } from '../request.js';
import { parseDictionary, parseItem, parseList } from './sf/parse.js';
import { serializeDictionary, serializeInnerList, serializeItem, serializeList } from './sf/serialize.js';
import { isInnerList, type Parameters } from './sf/types.js';

/** The RFC 8941 type of a structured field. */
export type StructuredFieldType = 'item' | 'list' | 'dictionary';

/**
 * Structured fields whose type Sigil knows (their RFCs define it). Others
 * can be covered with `sf` or `key` once the caller names their type.
 *
 * @example
 * verifyRfc9421(req, keys, { structuredFields: { 'x-list': 'list' } });
 * KNOWN_STRUCTURED_FIELDS['content-digest']; // 'dictionary'
 */
export const KNOWN_STRUCTURED_FIELDS: Readonly<Record<string, StructuredFieldType>> = {
  'signature-input': 'dictionary',
  signature: 'dictionary',
  'accept-signature': 'dictionary',
  'content-digest': 'dictionary',
  'repr-digest': 'dictionary',
  'want-content-digest': 'dictionary',
  'want-repr-digest': 'dictionary',
  priority: 'dictionary',
  'cache-status': 'list',
  'proxy-status': 'list',
};

function own<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

function malformed(detail: string): SigilError {
  return new SigilError('signature_header_malformed', { detail });
}

function fieldLines(headers: HeaderList | HeadersLike, name: string): string[] {
  if (!Array.isArray(headers)) {
    // A Headers object joins field lines; it is read as one line.
    const got = (headers as HeadersLike).get(name);
    return got === null ? [] : [got];
  }
  const lines: string[] = [];
  for (const [n, v] of headers as HeaderList) if (n.length === name.length && n.toLowerCase() === name) lines.push(String(v));
  return lines;
}

function byteSequences(lines: readonly string[]): string {
  // bs (section 2.1.3): each line trimmed, its bytes wrapped alone. Values are
  // byte strings here (Node hands them over as latin1), so no code unit > 255.
  return lines
    .map((line) => {
      const text = trimOws(line);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c > 255) throw new SigilError('header_value_invalid', { detail: 'a bs field holds a character above U+00FF' });
        bytes[i] = c;
      }
      return `:${base64Encode(bytes)}:`;
    })
    .join(', ');
}

function structured(value: string, type: StructuredFieldType, key: string | undefined): string {
  try {
    if (type === 'item') return serializeItem(parseItem(value));
    if (type === 'list') return serializeList(parseList(value));
    const dict = parseDictionary(value);
    if (key === undefined) return serializeDictionary(dict);
    const member = dict.get(key);
    if (!member) throw new SigilError('signed_header_missing', { detail: 'a covered dictionary key is absent' });
    return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
  } catch (error) {
    if (isSigilError(error, 'signature_header_malformed')) {
      throw new SigilError('header_value_invalid', { detail: 'a covered structured field does not parse' });
    }
    throw error;
  }
}

/**
 * @internal The value of a field component. `types` extends
 * KNOWN_STRUCTURED_FIELDS for `sf` and `key`.
 */
export function fieldValue(
  headers: HeaderList | HeadersLike,
  name: string,
  params: Parameters,
  types: Readonly<Record<string, StructuredFieldType>> = {},
): string {
  if (!HEADER_NAME.test(name)) throw malformed('a field component name must be a lowercase field name');
  let sf = false;
  let bs = false;
  let key: string | undefined;
  for (const [param, value] of params) {
    if (param === 'sf' && value === true) sf = true;
    else if (param === 'bs' && value === true) bs = true;
    else if (param === 'key' && typeof value === 'string') key = value;
    else if (param === 'req' || param === 'tr') throw malformed(`the ${param} parameter is not supported for requests`);
    else throw malformed('unknown or mistyped field component parameter');
  }
  if (bs && (sf || key !== undefined)) throw malformed('bs cannot be combined with sf or key');
  if (bs) {
    const lines = fieldLines(headers, name);
    if (lines.length === 0) throw new SigilError('signed_header_missing', { detail: `header ${name}` });
    return byteSequences(lines);
  }
  const value = headerValue(headers, name);
  if (value === undefined) throw new SigilError('signed_header_missing', { detail: `header ${name}` });
  if (!sf && key === undefined) return value;
  // key= reads the field as a dictionary (RFC 9421 section 2.1.2) without a
  // declared type; sf needs one (SPEC.md section 9.4).
  const type = own(types, name) ?? own(KNOWN_STRUCTURED_FIELDS, name) ?? (key === undefined ? undefined : 'dictionary');
  if (!type || (key !== undefined && type !== 'dictionary')) {
    throw malformed(key === undefined ? 'sf on a field of unknown type' : 'key on a field that is not a known dictionary');
  }
  return structured(value, type, key);
}
