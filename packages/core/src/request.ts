import { SigilError } from './errors.js';
import { asciiLower, HEADER_VALUE, LIMITS, trimOws } from './lib/syntax.js';

/** Header field lines in the order received: `[name, value]`, any name case. */
export type HeaderList = ReadonlyArray<readonly [string, string]>;

/**
 * The part of the Fetch `Headers` API Sigil reads. `get()` must behave as
 * Fetch specifies: each line trimmed, lines of one name joined with ", ".
 */
export interface HeadersLike {
  get(name: string): string | null;
}

/**
 * The request shape every adapter produces and every Sigil operation reads.
 * Cheap to build: Node's `rawHeaders` pair up into a HeaderList; a Fetch
 * `Request` passes its `Headers` as they are.
 *
 * @example
 * const req: SigilRequest = {
 *   method: 'POST',
 *   target: '/v1/orders?dry_run=1',
 *   headers: [['host', 'api.example.com'], ['content-type', 'application/json']],
 *   body: new TextEncoder().encode('{"qty":1}'),
 * };
 */
export interface SigilRequest {
  /** The method exactly as sent (methods are case-sensitive). */
  readonly method: string;
  /** The request target as sent: path and query, origin-form (`/p?q`). */
  readonly target: string;
  readonly headers: HeaderList | HeadersLike;
  /** The raw body bytes; absent, null and empty all mean "no body". */
  readonly body?: Uint8Array | null;
  /**
   * Lowercase hex SHA-256 of the body, when the caller hashed it while
   * streaming. Used instead of hashing `body`. Only for trusted adapters.
   */
  readonly bodySha256?: string;
}

function isHeaderList(headers: HeaderList | HeadersLike): headers is HeaderList {
  return Array.isArray(headers);
}

/**
 * @internal `name === lowerName || asciiLower(name) === lowerName`, without building
 * the lowercase copy:
 * canonicalize asks this for every field line and signed name, and most
 * pairs differ in their first character.
 */
export function sameName(name: string, lowerName: string): boolean {
  if (name.length !== lowerName.length) return false;
  if (name === lowerName) return true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The normalised value of one header (SPEC.md section 2.3): each field line
 * trimmed of SP/HTAB, lines of the same name joined with ", " in order.
 * Returns undefined when the request has no line of that name. Throws
 * `header_value_invalid` on CR, LF, NUL or any byte outside HTAB/SP/VCHAR.
 */
export function headerValue(headers: HeaderList | HeadersLike, lowerName: string): string | undefined {
  let value: string | undefined;
  if (isHeaderList(headers)) {
    for (let i = 0; i < headers.length; i++) {
      const line = headers[i]!;
      const name = line[0];
      if (!sameName(name, lowerName)) continue;
      const part = trimOws(String(line[1]));
      value = value === undefined ? part : `${value}, ${part}`;
    }
  } else {
    // Fetch Headers trims each field line on append and joins lines with
    // ", " exactly as SPEC 2.3 does; trimming the joined value again would
    // turn lines "a" and "" into "a," instead of "a, ".
    const got = headers.get(lowerName);
    value = got === null ? undefined : got;
  }
  if (value !== undefined && (value.length > LIMITS.signedHeaderValue || !HEADER_VALUE.test(value))) {
    throw new SigilError('header_value_invalid', { detail: `header ${lowerName}` });
  }
  return value;
}

/** Number of field lines with this name (0 when absent). */
export function headerCount(headers: HeaderList | HeadersLike, lowerName: string): number {
  if (!isHeaderList(headers)) return headers.get(lowerName) === null ? 0 : 1;
  let n = 0;
  for (const [name] of headers) if (asciiLower(name) === lowerName) n++;
  return n;
}
