// RFC 9530 Content-Digest over the raw content bytes, with the hash
// functions of core's crypto backend.
import { backend } from '../crypto.js';
import { isSigilError, SigilError } from '../errors.js';
import { base64Encode, hexDecode, timingSafeEqual } from '../lib/encoding.js';
import { parseDictionary } from './sf/parse.js';
import { isInnerList } from './sf/types.js';

/** The RFC 9530 algorithms Sigil computes and checks. */
export type DigestAlgorithm = 'sha-256' | 'sha-512';

const HASH = { 'sha-256': 'sha256', 'sha-512': 'sha512' } as const;
const LENGTH = { 'sha-256': 32, 'sha-512': 64 } as const;
const EMPTY = new Uint8Array(0);

function mismatch(detail: string): SigilError {
  return new SigilError('content_digest_mismatch', { detail });
}

/**
 * A Content-Digest field value for the content bytes: `sha-256=:<base64>:`.
 * Absent, null and empty content all hash the empty string.
 *
 * @example
 * contentDigest(new TextEncoder().encode('{"hello": "world"}'));
 * // 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
 */
export function contentDigest(body: Uint8Array | null | undefined, algorithm: DigestAlgorithm = 'sha-256'): string {
  if (algorithm !== 'sha-256' && algorithm !== 'sha-512') throw new SigilError('invalid_option', { detail: 'algorithm must be sha-256 or sha-512' });
  return `${algorithm}=:${base64Encode(backend.digest(HASH[algorithm], body ?? EMPTY))}:`;
}

/** Options of checkContentDigest(). */
export interface CheckContentDigestOptions {
  /**
   * Lowercase hex SHA-256 of the content, when an adapter hashed it while
   * streaming and holds no bytes. Only a sha-256 member can then be checked.
   */
  readonly bodySha256?: string;
}

/**
 * Checks a received Content-Digest value against the content. Every
 * sha-256 and sha-512 member must match; members of other algorithms are
 * ignored (RFC 9530 section 2), but at least one of the two must be present.
 * Returns the algorithms checked; throws `content_digest_mismatch` otherwise
 * (a malformed value, a wrong length, a differing digest).
 *
 * @example
 * checkContentDigest(req.headers.get('content-digest') ?? '', body); // ['sha-256']
 */
export function checkContentDigest(
  value: string,
  body: Uint8Array | null | undefined,
  options: CheckContentDigestOptions = {},
): DigestAlgorithm[] {
  let dict;
  try {
    dict = parseDictionary(value);
  } catch (error) {
    if (isSigilError(error)) throw mismatch('the value is not a structured dictionary');
    throw error;
  }
  const checked: DigestAlgorithm[] = [];
  for (const algorithm of ['sha-256', 'sha-512'] as const) {
    const member = dict.get(algorithm);
    if (member === undefined) continue;
    if (isInnerList(member) || !(member.value instanceof Uint8Array)) throw mismatch(`${algorithm} must be a byte sequence`);
    if (member.value.length !== LENGTH[algorithm]) throw mismatch(`${algorithm} has the wrong length`);
    let actual: Uint8Array | undefined;
    if (body == null && options.bodySha256 !== undefined) {
      if (algorithm !== 'sha-256') throw mismatch('only sha-256 can be checked against a streamed hash');
      actual = hexDecode(options.bodySha256);
      if (!actual || actual.length !== 32) throw new SigilError('invalid_option', { detail: 'bodySha256 must be 64 hex digits' });
    } else {
      actual = backend.digest(HASH[algorithm], body ?? EMPTY);
    }
    if (!timingSafeEqual(actual, member.value)) throw mismatch(`${algorithm} differs from the content`);
    checked.push(algorithm);
  }
  if (checked.length === 0) throw mismatch('no sha-256 or sha-512 member');
  return checked;
}

/**
 * @internal The Content-Digest value of a request's content: from its
 * bytes, or from `bodySha256` when an adapter hashed the content while
 * streaming (sha-256 only).
 */
export function requestDigest(request: { body?: Uint8Array | null; bodySha256?: string }, algorithm: DigestAlgorithm): string {
  if (request.body == null && request.bodySha256 !== undefined) {
    const bytes = hexDecode(request.bodySha256);
    if (algorithm !== 'sha-256' || !bytes || bytes.length !== 32) {
      throw new SigilError('invalid_option', { detail: 'bodySha256 gives a sha-256 Content-Digest only' });
    }
    return `sha-256=:${base64Encode(bytes)}:`;
  }
  return contentDigest(request.body, algorithm);
}
