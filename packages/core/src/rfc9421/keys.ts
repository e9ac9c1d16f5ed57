import { SigilError } from '../errors.js';
import { SigilKey } from '../key.js';

/** The RFC 9421 algorithms Sigil implements (HMAC only: core holds shared secrets). */
export type Rfc9421Algorithm = 'hmac-sha256';

/**
 * Every Rfc9421Algorithm, in registry order.
 *
 * @example
 * RFC9421_ALGORITHMS.includes('hmac-sha256'); // true
 */
export const RFC9421_ALGORITHMS: readonly Rfc9421Algorithm[] = ['hmac-sha256'];

/** MAC length in bytes, per algorithm. */
export const MAC_LENGTH: Readonly<Record<Rfc9421Algorithm, number>> = { 'hmac-sha256': 32 };

/**
 * A secret bound to the one algorithm it may be used with. The verifier
 * takes the algorithm from here, never from the received `alg` parameter
 * (RFC 9421 section 3.2, step 6); a present `alg` must agree with it.
 */
export interface Rfc9421Key {
  readonly key: SigilKey;
  readonly algorithm: Rfc9421Algorithm;
}

/** Keys to try: one, several (rotation), or a synchronous lookup by `keyid`. */
export type Rfc9421KeyLookup =
  | Rfc9421Key
  | readonly Rfc9421Key[]
  | ((keyid: string) => Rfc9421Key | readonly Rfc9421Key[] | null | undefined);

/**
 * Binds a key to an RFC 9421 algorithm. Throws `invalid_key` for anything
 * but a SigilKey and `unsupported_algorithm` for another algorithm.
 *
 * @example
 * const bound = rfc9421Key(importKey(secret, { encoding: 'base64' }), 'hmac-sha256');
 */
export function rfc9421Key(key: SigilKey, algorithm: Rfc9421Algorithm = 'hmac-sha256'): Rfc9421Key {
  if (!(key instanceof SigilKey)) throw new SigilError('invalid_key', { detail: 'key must come from importKey() or generateKey()' });
  if (!RFC9421_ALGORITHMS.includes(algorithm)) throw new SigilError('unsupported_algorithm');
  return Object.freeze({ key, algorithm });
}

/** @internal Checks a bound key given by a caller. */
export function checkBoundKey(bound: Rfc9421Key, option: string): void {
  if (typeof bound !== 'object' || bound === null || !(bound.key instanceof SigilKey)) {
    throw new SigilError('invalid_key', { detail: `${option} must be { key: SigilKey, algorithm }` });
  }
  if (!RFC9421_ALGORITHMS.includes(bound.algorithm)) throw new SigilError('unsupported_algorithm');
}

/** @internal The candidate keys for a keyid (none when the lookup needs a keyid and there is none). */
export function candidates(keys: Rfc9421KeyLookup, keyid: string | undefined): readonly Rfc9421Key[] {
  if (typeof keys === 'function') {
    if (keyid === undefined) return [];
    const found = keys(keyid);
    if (!found) return [];
    return Array.isArray(found) ? found : [found as Rfc9421Key];
  }
  return Array.isArray(keys) ? keys : [keys as Rfc9421Key];
}

/** @internal Throws `unsupported_algorithm` for a received `alg` Sigil does not implement. */
export function checkAlg(alg: string | undefined): void {
  if (alg !== undefined && !(RFC9421_ALGORITHMS as readonly string[]).includes(alg)) throw new SigilError('unsupported_algorithm');
}
