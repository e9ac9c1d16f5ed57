// Strict readers shared by the webhook schemes: one header value, a Unix
// timestamp, a message id, and MACs as lowercase hex or padded base64. Each
// throws a typed SigilError and never echoes the received value.
import { SigilError } from '../../errors.js';
import { base64Decode, hexDecode } from '../../lib/encoding.js';
import { headerValue, type HeaderList, type HeadersLike } from '../../request.js';

/** Longest signature header accepted (16 entries fit well within it). */
export const MAX_SIGNATURE_HEADER = 2048;
/** Most signature entries read from one header (rotations send two or three). */
export const MAX_SIGNATURES = 16;
/** Longest message or delivery id accepted. */
export const MAX_ID = 256;

const TIMESTAMP = /^(?:0|[1-9][0-9]{0,11})$/;
// Visible ASCII except "." (Standard Webhooks joins id.timestamp.body with
// dots: a dot inside an id could shift bytes between the id and the
// timestamp). Duplicated lines joined with ", " fail here too.
const ID = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The one value of a header, or undefined when absent. */
export function readHeader(headers: HeaderList | HeadersLike, name: string): string | undefined {
  return headerValue(headers, name);
}

/** A signature header's value; `signature_missing` when absent or empty, `signature_header_malformed` when overlong. */
export function readSignatureHeader(headers: HeaderList | HeadersLike, name: string): string {
  const value = readHeader(headers, name);
  if (value === undefined || value === '') throw new SigilError('signature_missing', { detail: `header ${name}` });
  if (value.length > MAX_SIGNATURE_HEADER) throw new SigilError('signature_header_malformed', { detail: `header ${name} is longer than ${MAX_SIGNATURE_HEADER}` });
  return value;
}

/** A required webhook header (id, timestamp): `webhook_header_missing` when absent. */
export function requireHeader(headers: HeaderList | HeadersLike, name: string): string {
  const value = readHeader(headers, name);
  if (value === undefined) throw new SigilError('webhook_header_missing', { detail: `header ${name}` });
  return value;
}

/** Integer Unix seconds, no sign, no leading zero, at most 12 digits. */
export function parseTimestamp(text: string, where: string): number {
  if (!TIMESTAMP.test(text)) throw new SigilError('webhook_header_malformed', { detail: `${where} is not integer Unix seconds` });
  return Number(text);
}

/** A message or delivery id: 1 to 256 visible ASCII characters other than ".". */
export function parseId(text: string, where: string): string {
  if (!ID.test(text)) throw new SigilError('webhook_header_malformed', { detail: `${where} is not 1-${MAX_ID} visible ASCII characters without "."` });
  return text;
}

/** A SHA-256 MAC as 64 lowercase hex digits. */
export function hexMac(text: string, where: string): Uint8Array {
  const bytes = HEX_SHA256.test(text) ? hexDecode(text) : undefined;
  if (!bytes) throw new SigilError('signature_header_malformed', { detail: `${where} is not 64 lowercase hex digits` });
  return bytes;
}

/** A SHA-256 MAC as padded standard base64 (44 characters). */
export function base64Mac(text: string, where: string): Uint8Array {
  const bytes = base64Decode(text);
  if (!bytes || bytes.length !== 32) throw new SigilError('signature_header_malformed', { detail: `${where} is not the base64 of 32 bytes` });
  return bytes;
}

/** `signature_header_malformed` when a header lists more than MAX_SIGNATURES entries. */
export function checkEntryCount(count: number, where: string): void {
  if (count > MAX_SIGNATURES) throw new SigilError('signature_header_malformed', { detail: `${where} has more than ${MAX_SIGNATURES} entries` });
}

/** `unsupported_version` when no entry of the accepted version was found. */
export function requireSignatures(signatures: readonly Uint8Array[], where: string): void {
  if (signatures.length === 0) throw new SigilError('unsupported_version', { detail: `${where} has no entry of the accepted version` });
}

/** The bytes of `prefix` (ASCII) followed by `body`. */
export function prefixed(prefix: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + body.length);
  for (let i = 0; i < prefix.length; i++) out[i] = prefix.charCodeAt(i);
  out.set(body, prefix.length);
  return out;
}
