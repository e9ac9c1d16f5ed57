import { sameName, type HeaderList, type HeadersLike } from './request.js';
import { trimOws } from './lib/syntax.js';

/** Every raw value of one (lowercase) field name, in order; a Fetch `Headers` gives one joined value. */
function rawValues(headers: HeaderList | HeadersLike, lowerName: string): string[] {
  if (!Array.isArray(headers)) {
    const value = (headers as HeadersLike).get(lowerName);
    return value === null ? [] : [value];
  }
  const out: string[] = [];
  for (const [name, value] of headers as HeaderList) if (sameName(name, lowerName)) out.push(String(value));
  return out;
}

/** True when the request has a field line of this (lowercase) name; allocates nothing (it runs on every request). */
function hasLine(headers: HeaderList | HeadersLike, lowerName: string): boolean {
  if (!Array.isArray(headers)) return (headers as HeadersLike).get(lowerName) !== null;
  for (const [name] of headers as HeaderList) if (sameName(name, lowerName)) return true;
  return false;
}

const LENGTH = /^\d{1,15}$/;

/**
 * The declared Content-Length (SPEC.md section 4, step 8): every member of
 * every Content-Length field line (lines split at `,`, members trimmed of
 * SP/HTAB) 1 to 15 digits and all equal, as RFC 9110 section 8.6 allows a
 * repeated identical value. Undefined when there is no Content-Length, or
 * when it is unreadable (malformed, or differing values): the length is
 * then unknown.
 *
 * @example
 * declaredLength([['content-length', '12']]); // 12
 * declaredLength([['content-length', '12'], ['content-length', '13']]); // undefined
 */
export function declaredLength(headers: HeaderList | HeadersLike): number | undefined {
  if (!Array.isArray(headers)) return parsedLength(rawValues(headers, 'content-length'));
  // One pass without an array or a split (it runs on every request): lines
  // that are 1 to 15 digits, nothing else, are read here; any other line
  // sends the whole list to the general rule below.
  let found = -1;
  for (const [name, value] of headers as HeaderList) {
    if (!sameName(name, 'content-length')) continue;
    const n = typeof value === 'string' ? digits(value) : -1;
    if (n < 0) return parsedLength(rawValues(headers, 'content-length'));
    if (found >= 0 && n !== found) return undefined;
    found = n;
  }
  return found < 0 ? undefined : found;
}

/** The value of a string of 1 to 15 ASCII digits, else -1. */
function digits(value: string): number {
  const length = value.length;
  if (length === 0 || length > 15) return -1;
  let n = 0;
  for (let i = 0; i < length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The rule of declaredLength over the raw Content-Length lines. */
function parsedLength(lines: readonly string[]): number | undefined {
  let found: string | undefined;
  for (const line of lines) {
    for (const part of line.split(',')) {
      const member = trimOws(part);
      if (!LENGTH.test(member) || (found !== undefined && Number(found) !== Number(member))) return undefined;
      found = member;
    }
  }
  return found === undefined ? undefined : Number(found);
}

/**
 * True when the head declares content (SPEC.md section 4, step 6): a
 * Transfer-Encoding field line, or a Content-Length field line that is not
 * a readable 0. A malformed or conflicting Content-Length counts as content.
 *
 * @example
 * declaresContent([['content-length', '0']]); // false
 * declaresContent([['transfer-encoding', 'chunked']]); // true
 */
export function declaresContent(headers: HeaderList | HeadersLike): boolean {
  if (hasLine(headers, 'transfer-encoding')) return true;
  return hasLine(headers, 'content-length') && declaredLength(headers) !== 0;
}

/**
 * The rule of SPEC.md section 4, step 6 for content: the name of the
 * Content-Type field when the request carries one and declares content
 * (declaresContent), so that the signature must cover it; else undefined.
 *
 * @example
 * contentTypeRequired([['content-type', 'application/json'], ['content-length', '2']]); // 'content-type'
 */
export function contentTypeRequired(headers: HeaderList | HeadersLike): 'content-type' | undefined {
  return hasLine(headers, 'content-type') && declaresContent(headers) ? 'content-type' : undefined;
}
