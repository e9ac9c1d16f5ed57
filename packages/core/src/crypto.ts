// The one runtime-specific file of @sigil/core. Hashing and HMAC sit behind
// one small synchronous interface with two backends, chosen once at load:
//   - native: node:crypto, reached through process.getBuiltinModule (Node
//     >= 20.16, Bun, Deno) so this package has no static `node:` import and
//     still bundles for browsers and edge runtimes;
//   - portable: @noble/hashes, everywhere else, and where the native one
//     fails RFC 4231's known answers at load.
// Both produce identical bytes; the test suite runs the vectors through each,
// and the runtime matrix (packages/runtime-tests) on every runtime.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { base64urlEncode, hexEncode, utf8 } from './lib/encoding.js';

/** The MAC algorithms of Sigil v1. */
export type Algorithm = 'hmac-sha256' | 'hmac-sha512';

/** A MAC function keyed once: call it for each message. */
export type PreparedMac = (message: string) => Uint8Array;

/** A MAC function keyed once over arbitrary message bytes (webhook bodies are not ASCII). */
export type PreparedBytesMac = (message: Uint8Array) => Uint8Array;

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
  /**
   * Prepares HMAC state for a key once; the result MACs raw bytes exactly as
   * given. Both backends agree on every byte string (prepareMac's string
   * input is written as latin1 by one backend and UTF-8 by the other, which
   * only agree on ASCII).
   */
  prepareBytesMac(algorithm: Algorithm, key: Uint8Array): PreparedBytesMac;
  /** Like prepareMac, but each call returns the MAC base64url-encoded (no padding). */
  prepareMacBase64url(algorithm: Algorithm, key: Uint8Array): (message: string) => string;
  /** 16 fresh CSPRNG bytes, base64url (22 characters). */
  nonce(): string;
}

interface NodeHash {
  update(data: Uint8Array | string, encoding?: 'latin1'): NodeHash;
  digest(): Uint8Array;
  digest(encoding: 'hex' | 'base64url' | 'latin1'): string;
}
// Only documented Buffer members: runtimes that emulate Buffer (workerd's
// nodejs_compat, Bun, Deno) follow the documentation, not Node's internals.
type NodeBufferLike = Uint8Array & {
  toString(encoding: 'base64url', start: number, end: number): string;
  write(text: string, offset: number, length: number, encoding: 'latin1'): number;
};
type OneShotHash = (name: string, data: Uint8Array, encoding: 'hex' | 'latin1' | 'base64url') => string;
interface NodeCryptoLike {
  createHash(name: string): NodeHash;
  createHmac(name: string, key: unknown): NodeHash;
  createSecretKey(key: Uint8Array): unknown;
  hash?: OneShotHash;
  randomFillSync(buffer: Uint8Array): Uint8Array;
}
interface NodeBufferModule {
  Buffer: { allocUnsafeSlow(size: number): NodeBufferLike };
}

// One CSPRNG call per 256 nonces: on some hosts one call costs more than the
// rest of signing. Bytes are zeroed as they are handed out.
const NONCE_POOL = 4096;

const HASH_NAME = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' } as const;
const BLOCK_BYTES = { 'hmac-sha256': 64, 'hmac-sha512': 128 } as const;
const MAC_BYTES = { 'hmac-sha256': 32, 'hmac-sha512': 64 } as const;

/** Bytes from a latin1 ("binary") string: one byte per character. */
function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * HMAC as RFC 2104 defines it, H((K ^ opad) || H((K ^ ipad) || m)), over
 * the one-shot crypto.hash with both pads prepared once per key. On Node 20
 * createHmac spends about 2 us per call setting up its object, more than
 * hashing a canonical string takes; two one-shot hashes cost about 1 us.
 * Same bytes (the RFC 4231 tests and the vectors run through it). Digests
 * leave native code as latin1 strings: a Buffer from native code costs more.
 */
function hashHmac(hash: OneShotHash, b: NodeBufferModule, algorithm: Algorithm, key: Uint8Array, long: () => Uint8Array) {
  const name = HASH_NAME[algorithm];
  const block = BLOCK_BYTES[algorithm];
  // Keys longer than a block are hashed first (RFC 2104 section 2).
  const k = key.length > block ? long() : key;
  const outer = b.Buffer.allocUnsafeSlow(block + MAC_BYTES[algorithm]);
  let inner = b.Buffer.allocUnsafeSlow(block + 1024);
  for (let i = 0; i < block; i++) {
    const byte = i < k.length ? k[i]! : 0;
    inner[i] = byte ^ 0x36;
    outer[i] = byte ^ 0x5c;
  }
  if (k !== key) k.fill(0);
  // Buffer#write with every argument given: as fast as the undocumented
  // latin1Write it calls (measured on Node 20, 22, 24), and workerd's
  // latin1Write throws without a length (issue 15).
  const write = (into: NodeBufferLike, text: string, offset: number): number => into.write(text, offset, into.length - offset, 'latin1');
  const room = (length: number) => {
    if (block + length > inner.length) {
      const grown = b.Buffer.allocUnsafeSlow(block + 2 * length);
      grown.set(inner.subarray(0, block));
      inner = grown;
    }
  };
  const finish = (n: number, encoding: 'latin1' | 'base64url'): string => {
    write(outer, hash(name, inner.subarray(0, block + n), 'latin1'), block);
    return hash(name, outer, encoding);
  };
  return {
    text(message: string, encoding: 'latin1' | 'base64url'): string {
      room(message.length);
      // Canonical strings are ASCII, so latin1 hands the bytes over as they are.
      return finish(write(inner, message, block), encoding);
    },
    bytes(message: Uint8Array): string {
      room(message.length);
      inner.set(message, block);
      return finish(message.length, 'latin1');
    },
  };
}

function nodeBackend(c: NodeCryptoLike, b: NodeBufferModule): CryptoBackend {
  const oneShot = c.hash;
  const pool = b.Buffer.allocUnsafeSlow(NONCE_POOL);
  let at = NONCE_POOL;
  const hmacOf = (algorithm: Algorithm, key: Uint8Array) => {
    const long = () => c.createHash(HASH_NAME[algorithm]).update(key).digest();
    if (oneShot) return hashHmac(oneShot, b, algorithm, key, long);
    // Without crypto.hash: a KeyObject imported once, then createHmac per MAC.
    const keyObject = c.createSecretKey(key);
    const name = HASH_NAME[algorithm];
    return {
      text: (message: string, encoding: 'latin1' | 'base64url'): string =>
        c.createHmac(name, keyObject).update(message, 'latin1').digest(encoding as 'base64url'),
      bytes: (message: Uint8Array): string => c.createHmac(name, keyObject).update(message).digest('latin1'),
    };
  };
  return {
    name: 'node',
    sha256Hex: oneShot
      ? (data) => oneShot('sha256', data, 'hex')
      : (data) => c.createHash('sha256').update(data).digest('hex'),
    digest: (hash, data) => new Uint8Array(c.createHash(hash).update(data).digest()),
    prepareMac(algorithm, key) {
      const mac = hmacOf(algorithm, key);
      return (message) => latin1Bytes(mac.text(message, 'latin1'));
    },
    prepareBytesMac(algorithm, key) {
      const mac = hmacOf(algorithm, key);
      return (message) => latin1Bytes(mac.bytes(message));
    },
    createSha256() {
      const h = c.createHash('sha256');
      return { update: (chunk) => void h.update(chunk), hex: () => h.digest('hex') };
    },
    prepareMacBase64url(algorithm, key) {
      const mac = hmacOf(algorithm, key);
      return (message) => mac.text(message, 'base64url');
    },
    nonce() {
      if (at + 16 > NONCE_POOL) {
        c.randomFillSync(pool);
        at = 0;
      }
      const text = pool.toString('base64url', at, at + 16);
      pool.fill(0, at, at + 16);
      at += 16;
      return text;
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
  prepareBytesMac(algorithm, key) {
    const base = hmac.create(algorithm === 'hmac-sha256' ? sha256 : sha512, key);
    return (message) => base.clone().update(message).digest();
  },
  createSha256() {
    const h = sha256.create();
    return { update: (chunk) => void h.update(chunk), hex: () => hexEncode(h.digest()) };
  },
  prepareMacBase64url(algorithm, key) {
    const mac = nobleBackend.prepareMac(algorithm, key);
    return (message) => base64urlEncode(mac(message));
  },
  nonce: pooledNonce(),
};

function pooledNonce(): () => string {
  let pool = new Uint8Array(0);
  let at = 0;
  return () => {
    if (at + 16 > pool.length) {
      pool = new Uint8Array(NONCE_POOL);
      globalThis.crypto.getRandomValues(pool);
      at = 0;
    }
    const bytes = pool.subarray(at, at + 16);
    const text = base64urlEncode(bytes);
    bytes.fill(0);
    at += 16;
    return text;
  };
}

function loadNode(): [NodeCryptoLike, NodeBufferModule] | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCryptoLike | undefined;
    const buf = proc?.getBuiltinModule?.('node:buffer') as NodeBufferModule | undefined;
    return mod && buf && typeof mod.createHmac === 'function' && typeof mod.createSecretKey === 'function' ? [mod, buf] : undefined;
  } catch {
    return undefined;
  }
}

// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
const KNOWN_KEY = utf8('Jefe');
const KNOWN_DATA = 'what do ya want for nothing?';
const KNOWN_MAC = {
  'hmac-sha256': '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  'hmac-sha512':
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
} as const;

/**
 * The native backend, if node:crypto is there and computes RFC 4231's
 * answers: a runtime whose Node emulation throws or differs (as workerd's
 * Buffer once made it throw) gets the portable backend instead of failing
 * every request.
 */
function checkedNative(): CryptoBackend | undefined {
  const modules = loadNode();
  if (!modules) return undefined;
  try {
    const candidate = nodeBackend(modules[0], modules[1]);
    for (const algorithm of ['hmac-sha256', 'hmac-sha512'] as const) {
      if (hexEncode(candidate.prepareMac(algorithm, KNOWN_KEY)(KNOWN_DATA)) !== KNOWN_MAC[algorithm]) return undefined;
    }
    return candidate;
  } catch {
    return undefined;
  }
}

const native = checkedNative();

/** The backend every Sigil operation uses, chosen once when this module loads. */
export const backend: CryptoBackend = native ?? nobleBackend;

/** Both backends, for tests and benchmarks that must compare them. */
export const backends: { readonly native?: CryptoBackend; readonly portable: CryptoBackend } = {
  ...(native ? { native } : {}),
  portable: nobleBackend,
};
