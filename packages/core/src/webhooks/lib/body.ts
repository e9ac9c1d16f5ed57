import { SigilError } from '../../errors.js';
import { utf8 } from '../../lib/encoding.js';

/** A sign call's body as bytes: a string is UTF-8 encoded, bytes are used as they are. */
export function bodyBytes(body: Uint8Array | string | null | undefined, scheme: string): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return utf8(body);
  if (body instanceof Uint8Array) return body;
  throw new SigilError('invalid_option', { detail: `${scheme}: body must be a Uint8Array or a string` });
}

/** A sign call's timestamp: integer Unix seconds, 0 to 12 digits' worth. */
export function signTimestamp(timestamp: number, scheme: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > 999_999_999_999) {
    throw new SigilError('invalid_option', { detail: `${scheme}: timestamp must be integer Unix seconds` });
  }
  return String(timestamp);
}

/** A sign call's message id: the grammar a verifier accepts (1-256 visible ASCII characters, no "."). */
export function signId(id: string, scheme: string): string {
  if (typeof id !== 'string' || !/^[\x21-\x2d\x2f-\x7e]{1,256}$/.test(id)) {
    throw new SigilError('invalid_option', { detail: `${scheme}: id must be 1-256 visible ASCII characters without "."` });
  }
  return id;
}
