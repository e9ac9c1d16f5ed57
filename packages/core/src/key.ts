import { backend, type Algorithm, type PreparedMac } from './crypto.js';
import { SigilError } from './errors.js';
import { asBytes, base64Decode, base64urlDecode, base64urlEncode, hexDecode, hexEncode, utf8 } from './lib/encoding.js';

/** Shortest secret accepted, in bytes (128 bits). */
export const MIN_KEY_BYTES = 16;
/** Longest secret accepted, in bytes. */
export const MAX_KEY_BYTES = 1024;

/** Every encoding a secret given as a string may use: the one list the options schemas, the CLI and the vectors read. */
export const KEY_ENCODINGS = Object.freeze(['base64url', 'base64', 'hex', 'utf8'] as const);

/** How a secret given as a string is encoded. */
export type KeyEncoding = (typeof KEY_ENCODINGS)[number];

const REDACTED = 'SigilKey { <redacted> }';
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const KEY_BRAND = Symbol.for('sigil.key');

/**
 * An HMAC secret. Opaque: it never shows its bytes through `util.inspect`,
 * `toString`, `JSON.stringify` or template strings, and prepares HMAC state
 * once per algorithm instead of once per request.
 *
 * @example
 * const key = importKey(process.env.SIGIL_SECRET!, { encoding: 'base64url' });
 */
export class SigilKey {
  readonly #bytes: Uint8Array;
  readonly #prepared = new Map<Algorithm, PreparedMac>();
  readonly #prepared64 = new Map<Algorithm, (message: string) => string>();

  /** @internal Use importKey() or generateKey(). */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Byte length of the secret (not secret itself). */
  get length(): number {
    return this.#bytes.length;
  }

  /** @internal MAC `message` with this key. */
  mac(algorithm: Algorithm, message: string): Uint8Array {
    let fn = this.#prepared.get(algorithm);
    if (!fn) {
      fn = backend.prepareMac(algorithm, this.#bytes);
      this.#prepared.set(algorithm, fn);
    }
    return fn(message);
  }

  /** @internal MAC `message` with this key, base64url-encoded. */
  macBase64url(algorithm: Algorithm, message: string): string {
    let fn = this.#prepared64.get(algorithm);
    if (!fn) {
      fn = backend.prepareMacBase64url(algorithm, this.#bytes);
      this.#prepared64.set(algorithm, fn);
    }
    return fn(message);
  }

  /** @internal The raw bytes, for exportKey() only. */
  exportBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[KEY_BRAND] === true;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [INSPECT](): string {
    return REDACTED;
  }
}
Object.defineProperty(SigilKey.prototype, KEY_BRAND, { value: true });
Object.defineProperty(SigilKey.prototype, Symbol.toPrimitive, { value: () => REDACTED });

/** Options of importKey(). */
export interface ImportKeyOptions {
  /**
   * Required when the secret is a string: Sigil never guesses, because a
   * passphrase that happens to be valid base64url would silently become other
   * bytes than the ones another implementation uses.
   */
  encoding?: KeyEncoding;
}

function decodeSecret(secret: string, encoding: KeyEncoding): Uint8Array | undefined {
  switch (encoding) {
    case 'base64url':
      return base64urlDecode(secret);
    case 'base64':
      return base64Decode(secret);
    case 'hex':
      return hexDecode(secret);
    case 'utf8':
      return utf8(secret);
  }
}

/**
 * Imports an HMAC secret from bytes or an encoded string. Secrets shorter
 * than 16 bytes are refused with `invalid_key`. The input bytes are copied.
 *
 * @example
 * const key = importKey('kP2x...', { encoding: 'base64url' });
 * const same = importKey(new Uint8Array(32));
 */
export function importKey(secret: string | Uint8Array | ArrayBuffer | ArrayBufferView | SigilKey, options: ImportKeyOptions = {}): SigilKey {
  if (secret instanceof SigilKey) return secret;
  let bytes: Uint8Array | undefined;
  if (typeof secret === 'string') {
    const encoding = options.encoding;
    if (encoding === undefined) {
      throw new SigilError('invalid_key', { detail: 'a string secret needs options.encoding (base64url, base64, hex or utf8)' });
    }
    if (!(KEY_ENCODINGS as readonly string[]).includes(encoding)) {
      throw new SigilError('invalid_key', { detail: 'options.encoding must be base64url, base64, hex or utf8' });
    }
    bytes = decodeSecret(secret, encoding);
    if (!bytes) throw new SigilError('invalid_key', { detail: `the secret is not valid ${encoding}` });
  } else if (secret instanceof ArrayBuffer || ArrayBuffer.isView(secret)) {
    bytes = asBytes(secret).slice();
  } else {
    throw new SigilError('invalid_key', { detail: 'a secret must be a string, bytes or a SigilKey' });
  }
  if (bytes.length < MIN_KEY_BYTES) {
    throw new SigilError('invalid_key', { detail: `secrets must be at least ${MIN_KEY_BYTES} bytes` });
  }
  if (bytes.length > MAX_KEY_BYTES) {
    throw new SigilError('invalid_key', { detail: `secrets must be at most ${MAX_KEY_BYTES} bytes` });
  }
  return new SigilKey(bytes);
}

/**
 * A new random 32-byte secret from the platform CSPRNG.
 *
 * @example
 * const key = generateKey();
 * const text = exportKey(key); // base64url, store it in your secret manager
 */
export function generateKey(): SigilKey {
  return new SigilKey(randomBytes(32));
}

/**
 * The secret as text, for storing in a secret manager. The only way bytes
 * leave a SigilKey; keep its output out of logs.
 *
 * @example
 * exportKey(generateKey(), 'base64url');
 */
export function exportKey(key: SigilKey, encoding: Exclude<KeyEncoding, 'utf8' | 'base64'> = 'base64url'): string {
  const bytes = key.exportBytes();
  return encoding === 'hex' ? hexEncode(bytes) : base64urlEncode(bytes);
}

/** @internal Cryptographically random bytes (Web Crypto, present in every supported runtime). */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
}
