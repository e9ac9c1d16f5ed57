// The character sets and limits of SPEC.md section 3, in one place. Every
// parser and builder in core checks against these and nothing else.

export const LIMITS = {
  /** Sigil-Signature field value, after trimming SP/HTAB. */
  headerValue: 4096,
  keyId: 128,
  timestampDigits: 12,
  nonceMin: 22,
  nonceMax: 128,
  signedHeaders: 32,
  headerName: 64,
  mac: 128,
  method: 32,
  target: 8192,
  /** One signed header value after normalisation. */
  signedHeaderValue: 8192,
} as const;

export const KEY_ID = /^[A-Za-z0-9._~:-]{1,128}$/;
export const TIMESTAMP = /^(?:0|[1-9][0-9]{0,11})$/;
export const NONCE = /^[A-Za-z0-9_-]{22,128}$/;
export const MAC = /^[A-Za-z0-9_-]{1,128}$/;
export const VERSION = /^[0-9]{1,3}$/;
export const ALG = /^[a-z0-9-]{1,32}$/;
/** tchar (RFC 9110 section 5.6.2) without uppercase: signed names are lowercased. */
export const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
/** The h parameter: 1 to 32 lowercase tokens joined by "," (order rules are checked after v and alg). */
export const HEADER_LIST = /^[a-z0-9!#$%&'*+.^_`|~-]{1,64}(?:,[a-z0-9!#$%&'*+.^_`|~-]{1,64}){0,31}$/;
/** Any tchar, either case: what a request may carry as a field name. */
export const ANY_HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** HTTP method token (case-sensitive). */
export const METHOD = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,32}$/;
/** origin-form: "/" then visible ASCII except "#" (fragments are never sent). */
export const TARGET = /^\/[\x21\x22\x24-\x7e]*$/;
/** A signed header value after trimming: HTAB, SP and visible ASCII only. */
export const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** The header that carries a v1 signature, lowercase. */
export const SIGNATURE_HEADER = 'sigil-signature';
/** The header a verifier adds to a timestamp rejection: its clock, Unix seconds. */
export const SERVER_TIME_HEADER = 'sigil-server-time';

/** Removes leading and trailing SP and HTAB (and nothing else). */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++;
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** ASCII-only lowercase (A-Z to a-z; nothing else changes, unlike toLowerCase). */
export function asciiLower(value: string): string {
  return /[A-Z]/.test(value) ? value.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : value;
}

/** True when `value` is a valid key id (SPEC.md section 3.3): 1-128 of A-Z a-z 0-9 . _ ~ : - */
export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID.test(value);
}
