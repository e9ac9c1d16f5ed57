// The one runtime-specific file of @sigil/core. Hashing and HMAC sit behind
// one small synchronous interface with two backends, chosen once at load:
//   - native: node:crypto, reached through process.getBuiltinModule (Node
//     >= 20.16, Bun, Deno) so this package has no static `node:` import and
//     still bundles for browsers and edge runtimes;
//   - portable: @noble/hashes, everywhere else.
// Both produce identical bytes; the test suite runs the vectors through each.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { hexEncode, utf8 } from './lib/encoding.js';

/** The MAC algorithms of Sigil v1. */
export type Algorithm = 'hmac-sha256' | 'hmac-sha512';

/** A MAC function keyed once: call it for each message. */
export type PreparedMac = (message: string) => Uint8Array;

/** What Sigil needs from a crypto library. Synchronous by design. */
export interface CryptoBackend {
  readonly name: 'node' | 'noble';
  /** Lowercase hex SHA-256 of the bytes. */
  sha256Hex(data: Uint8Array): string;
  /** SHA-256 or SHA-512 digest bytes (RFC 9530 Content-Digest). */
  digest(hash: 'sha256' | 'sha512', data: Uint8Array): Uint8Array;
  /** Prepares HMAC state for a key once; the result MACs ASCII/UTF-8 strings. */
  prepareMac(algorithm: Algorithm, key: Uint8Array): PreparedMac;
  /** Incremental SHA-256 for bodies that arrive in chunks. */
  createSha256(): { update(chunk: Uint8Array): void; hex(): string };
}

interface NodeHash {
  update(data: Uint8Array | string, encoding?: 'latin1'): NodeHash;
  digest(): Uint8Array;
  digest(encoding: 'hex'): string;
}
interface NodeCryptoLike {
  createHash(name: string): NodeHash;
  createHmac(name: string, key: unknown): NodeHash;
  createSecretKey(key: Uint8Array): unknown;
  hash?: (name: string, data: Uint8Array, encoding: 'hex') => string;
}

const HASH_NAME = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' } as const;

function nodeBackend(c: NodeCryptoLike): CryptoBackend {
  const oneShot = c.hash;
  return {
    name: 'node',
    sha256Hex: oneShot
      ? (data) => oneShot('sha256', data, 'hex')
      : (data) => c.createHash('sha256').update(data).digest('hex'),
    digest: (hash, data) => new Uint8Array(c.createHash(hash).update(data).digest()),
    prepareMac(algorithm, key) {
      // A KeyObject is imported once; each MAC then skips re-importing the key.
      const keyObject = c.createSecretKey(key);
      const name = HASH_NAME[algorithm];
      // Canonical strings are ASCII, so latin1 hands the bytes over as they are.
      return (message) => c.createHmac(name, keyObject).update(message, 'latin1').digest();
    },
    createSha256() {
      const h = c.createHash('sha256');
      return { update: (chunk) => void h.update(chunk), hex: () => h.digest('hex') };
    },
  };
}

const NOBLE_HASH = { sha256, sha512 } as const;

const nobleBackend: CryptoBackend = {
  name: 'noble',
  sha256Hex: (data) => hexEncode(sha256(data)),
  digest: (hash, data) => NOBLE_HASH[hash](data),
  prepareMac(algorithm, key) {
    // The inner and outer pads are hashed once; each message clones that state.
    const base = hmac.create(algorithm === 'hmac-sha256' ? sha256 : sha512, key);
    return (message) => base.clone().update(utf8(message)).digest();
  },
  createSha256() {
    const h = sha256.create();
    return { update: (chunk) => void h.update(chunk), hex: () => hexEncode(h.digest()) };
  },
};

function loadNodeCrypto(): NodeCryptoLike | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCryptoLike | undefined;
    return mod && typeof mod.createHmac === 'function' && typeof mod.createSecretKey === 'function' ? mod : undefined;
  } catch {
    return undefined;
  }
}

const native = loadNodeCrypto();

/** The backend every Sigil operation uses, chosen once when this module loads. */
export const backend: CryptoBackend = native ? nodeBackend(native) : nobleBackend;

/** Both backends, for tests and benchmarks that must compare them. */
export const backends: { readonly native?: CryptoBackend; readonly portable: CryptoBackend } = {
  ...(native ? { native: backend } : {}),
  portable: nobleBackend,
};
