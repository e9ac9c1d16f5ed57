// Fixed inputs of the vector generator: keys, clock, nonces, and the few
// helpers that turn a vector's JSON request into a core SigilRequest. No
// randomness and no clock: the same source always yields the same files.
import {
  backend,
  base64Decode,
  base64Encode,
  base64urlEncode,
  hexEncode,
  importKey,
  type SigilKey,
  type SigilRequest,
} from '../../packages/core/src/index.js';
import type { VectorKey, VectorRequest } from '../../packages/core/src/vectors.js';

/** The clock of every vector unless a case says otherwise (2023-11-14T22:13:20Z). */
export const NOW = 1_700_000_000;
/** The verifier tolerance every vector assumes unless a case says otherwise. */
export const TOLERANCE = 300;
/** The host every request is sent to unless a case says otherwise. */
export const HOST = 'api.example.com';

const encoder = new TextEncoder();

/** `length` bytes of a fixed pattern; different seeds give different bytes. */
export function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 131 + i * 37 + ((i >> 8) * 11)) & 0xff;
  return out;
}

/** A deterministic 22-character nonce derived from a label (no randomness). */
export function nonceFor(label: string): string {
  return base64urlEncode(backend.digest('sha256', encoder.encode(`nonce:${label}`)).slice(0, 16));
}

/** Every key the vectors use. Ids are case-sensitive. */
export const KEYS = {
  main: { id: 'client-1', secret: base64urlEncode(pattern(32, 1)), encoding: 'base64url' },
  other: { id: 'client-2', secret: base64urlEncode(pattern(32, 2)), encoding: 'base64url' },
  b64: { id: 'client-b64', secret: base64Encode(pattern(32, 3)), encoding: 'base64' },
  hex: { id: 'client-hex', secret: hexEncode(pattern(32, 4)), encoding: 'hex' },
  utf8: { id: 'client-utf8', secret: 'correct horse battery staple \u2713 caf\u00e9', encoding: 'utf8' },
  min: { id: 'k', secret: hexEncode(pattern(16, 5)), encoding: 'hex' },
  long: { id: 'long-key', secret: base64urlEncode(pattern(200, 6)), encoding: 'base64url' },
  sha512: { id: 'client-512', secret: base64urlEncode(pattern(64, 7)), encoding: 'base64url' },
  /** The same secret as `main` under another id: the kid is bound, not only the secret. */
  mainAlias: { id: 'client-1-alias', secret: base64urlEncode(pattern(32, 1)), encoding: 'base64url' },
  /** Rotation: two secrets under one id. */
  rotOld: { id: 'rotating', secret: base64urlEncode(pattern(32, 8)), encoding: 'base64url' },
  rotNew: { id: 'rotating', secret: base64urlEncode(pattern(32, 9)), encoding: 'base64url' },
  /** A third secret under the rotating id that the verifier does not hold. */
  rotForeign: { id: 'rotating', secret: base64urlEncode(pattern(32, 10)), encoding: 'base64url' },
  /** The main id with a secret the verifier does not hold. */
  mainForged: { id: 'client-1', secret: base64urlEncode(pattern(32, 11)), encoding: 'base64url' },
} as const satisfies Record<string, VectorKey>;

/** A core key from a vector key. */
export function toKey(key: VectorKey): SigilKey {
  return importKey(key.secret, { encoding: key.encoding });
}

/** The body bytes a vector request describes (null: no body). */
export function bodyBytes(body: VectorRequest['body']): Uint8Array | null {
  if (body === null) return null;
  if ('utf8' in body) return encoder.encode(body.utf8);
  const bytes = base64Decode(body.base64);
  if (!bytes) throw new Error('generator bug: body.base64 is not canonical base64');
  return bytes;
}

/** The core request a vector request describes. */
export function toSigilRequest(request: VectorRequest): SigilRequest {
  return { method: request.method, target: request.target, headers: request.headers, body: bodyBytes(request.body) };
}

/** A body given as bytes, in the vector encoding (base64). */
export function binaryBody(bytes: Uint8Array): VectorRequest['body'] {
  return { base64: base64Encode(bytes) };
}

/** Shorthand for a request; `host` comes first unless headers carry their own. */
export function req(
  method: string,
  target: string,
  headers: Array<[string, string]> = [],
  body: VectorRequest['body'] = null,
): VectorRequest {
  const hasHost = headers.some(([name]) => name.toLowerCase() === 'host');
  return { method, target, headers: hasHost ? headers : [['host', HOST], ...headers], body };
}
