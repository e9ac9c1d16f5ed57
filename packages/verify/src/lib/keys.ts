// Keys as the verifier holds them: imported once, with their validity period
// in milliseconds and their scope in a form that is cheap to check.
import { importKey, isKeyId, KEY_ENCODINGS, isSigilError, SigilError, SigilKey } from '@sigil/core';
import { parseOptions } from '@sigil/core/options';
import * as z from 'zod/mini';
import type { KeyEntry, KeyInput, KeyResolver, KeyScope, VerifierOptions } from '../options.js';

/** One key ready for use. */
export interface ActiveKey {
  readonly key: SigilKey;
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  readonly methods?: ReadonlySet<string>;
  readonly pathPrefixes?: readonly string[];
}

/**
 * Finds the keys of an id; may be asynchronous (a resolver). Throws (or
 * rejects with) `key_lookup_unavailable` when the resolver fails, and
 * `invalid_option` when it answers with something that is not a key.
 */
export type KeyRing = (keyId: string) => readonly ActiveKey[] | Promise<readonly ActiveKey[]>;

const METHOD = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,32}$/;

const isBytes = (v: unknown): v is Uint8Array | ArrayBuffer => v instanceof ArrayBuffer || ArrayBuffer.isView(v);
const secret = z.custom<SigilKey | Uint8Array | ArrayBuffer>((v) => v instanceof SigilKey || isBytes(v), {
  message: 'expected a SigilKey, bytes or { key, encoding?, notBefore?, notAfter?, scope? }',
});
const instant = z.union([z.date(), z.number().check(z.int(), z.nonnegative())]);
const entrySchema = z
  .strictObject({
    key: z.union([secret, z.string()]),
    encoding: z.optional(z.enum(KEY_ENCODINGS)),
    notBefore: z.optional(instant),
    notAfter: z.optional(instant),
    scope: z.optional(
      z.strictObject({
        methods: z.optional(z.array(z.string().check(z.regex(METHOD, 'methods must be HTTP method tokens'))).check(z.minLength(1))),
        pathPrefixes: z.optional(z.array(z.string().check(z.regex(/^\/[\x21-\x7e]*$/, 'path prefixes must start with "/"'))).check(z.minLength(1))),
      }),
    ),
  })
  .check(
    z.refine((e) => typeof e.key !== 'string' || e.encoding !== undefined, {
      message: 'a string key needs an encoding (base64url, base64, hex or utf8)',
      path: ['encoding'],
    }),
  );
const inputSchema = z.union([secret, entrySchema]);
const listSchema = z.union([inputSchema, z.array(inputSchema).check(z.minLength(1))]);

/** The zod schema of the `keys` option. */
export const keysSchema = z.union([
  z.custom<KeyResolver>((v) => typeof v === 'function', { message: 'expected a map from key id to keys, or a resolver function' }),
  // A map entry whose id can never appear in a signature is a configuration mistake.
  z.record(z.string().check(z.refine(isKeyId, 'key ids must be 1-128 of A-Z a-z 0-9 . _ ~ : -')), listSchema),
]);

/** True for a promise (or any thenable): what the pipeline must await. */
export function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

const toMs = (t: Date | number | undefined, fallback: number): number =>
  t === undefined ? fallback : t instanceof Date ? t.getTime() : t * 1000;

/** Turns a secret as configured into a SigilKey (throws core's SigilErrors). */
type Prepare = (material: KeyEntry['key'], encoding: KeyEntry['encoding']) => SigilKey;

const importOnce: Prepare = (material, encoding) => importKey(material, encoding ? { encoding } : {});

function activate(input: KeyInput, where: string, prepare: Prepare): ActiveKey {
  const entry: KeyEntry = input instanceof SigilKey || isBytes(input) ? { key: input } : input;
  let key: SigilKey;
  try {
    key = prepare(entry.key, entry.encoding);
  } catch (error) {
    // Core's messages are fixed and secret-free; keep the detail, name the option.
    if (isSigilError(error)) throw new SigilError('invalid_option', { detail: `${where}: ${error.message}` });
    throw error;
  }
  const notBeforeMs = toMs(entry.notBefore, -Infinity);
  const notAfterMs = toMs(entry.notAfter, Infinity);
  if (!(notBeforeMs <= notAfterMs)) throw new SigilError('invalid_option', { detail: `${where}: notBefore is after notAfter` });
  const scope: KeyScope = entry.scope ?? {};
  return {
    key,
    notBeforeMs,
    notAfterMs,
    ...(scope.methods ? { methods: new Set(scope.methods) } : {}),
    ...(scope.pathPrefixes ? { pathPrefixes: [...scope.pathPrefixes] } : {}),
  };
}

// The SigilKeys of each static map's list, so that a request whose keys
// are all active builds no array for them.
const SECRETS = new WeakMap<readonly ActiveKey[], readonly SigilKey[]>();

function activateAll(found: KeyInput | readonly KeyInput[], where: string, prepare: Prepare): ActiveKey[] {
  return Array.isArray(found)
    ? (found as readonly KeyInput[]).map((input, i) => activate(input, `${where}.${i}`, prepare))
    : [activate(found as KeyInput, where, prepare)];
}

/** The keys valid at `nowMs`: the list itself when every key is. */
export function activeAt(all: readonly ActiveKey[], nowMs: number): readonly ActiveKey[] {
  const valid = (k: ActiveKey): boolean => k.notBeforeMs <= nowMs && nowMs <= k.notAfterMs;
  return all.every(valid) ? all : all.filter(valid);
}

/** The SigilKeys of a key list, in order. */
export function secretsOf(list: readonly ActiveKey[]): readonly SigilKey[] {
  return SECRETS.get(list) ?? list.map((k) => k.key);
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const STRING_CACHE_LIMIT = 1024;

/**
 * The one cache a resolver's answers get: the prepared key material (a
 * SigilKey, which holds its HMAC state). A SigilKey is used as it is; bytes
 * are imported once per object and again whenever their contents changed;
 * a string secret once per (encoding, text). Entries, arrays, windows and
 * scopes are never cached: they are read again on every request, so a
 * revocation through the resolver takes effect on the next one.
 */
function materialCache(): Prepare {
  const byBytes = new WeakMap<object, { readonly copy: Uint8Array; readonly key: SigilKey }>();
  const byText = new Map<string, SigilKey>();
  return (material, encoding) => {
    if (material instanceof SigilKey) return material;
    if (typeof material === 'string') {
      const id = `${encoding ?? ''}:${material}`;
      let key = byText.get(id);
      if (!key) {
        key = importOnce(material, encoding);
        if (byText.size >= STRING_CACHE_LIMIT) byText.clear();
        byText.set(id, key);
      }
      return key;
    }
    const view = material instanceof Uint8Array ? material : new Uint8Array(material);
    const cached = byBytes.get(material);
    if (cached && sameBytes(cached.copy, view)) return cached.key;
    const key = importOnce(material, encoding);
    byBytes.set(material, { copy: view.slice(), key });
    return key;
  };
}

/**
 * Builds the key lookup. A static map is imported now, once. A resolver's
 * answer is validated and read whole on every request (see materialCache).
 */
export function keyRing(keys: VerifierOptions['keys']): KeyRing {
  if (typeof keys !== 'function') {
    const map = new Map<string, readonly ActiveKey[]>();
    for (const [id, found] of Object.entries(keys)) {
      const list = activateAll(found, `keys.${id}`, importOnce);
      SECRETS.set(list, list.map((k) => k.key));
      map.set(id, list);
    }
    return (keyId) => map.get(keyId) ?? [];
  }
  const prepare = materialCache();
  const fromResolver = (found: KeyInput | readonly KeyInput[] | null | undefined): readonly ActiveKey[] => {
    if (found === null || found === undefined) return [];
    const parsed = parseOptions(listSchema, found);
    if (!parsed.success) throw new SigilError('invalid_option', { detail: 'keys: the resolver returned something that is not a key' });
    return activateAll(found, 'keys(resolver)', prepare);
  };
  // A resolver that throws or rejects fails closed: key_lookup_unavailable
  // (503), its error kept only as the cause, never in a response or event.
  const unavailable = (cause: unknown): never => {
    throw new SigilError('key_lookup_unavailable', { cause });
  };
  return (keyId) => {
    let found: ReturnType<KeyResolver>;
    try {
      found = keys(keyId);
    } catch (error) {
      return unavailable(error);
    }
    return isThenable(found) ? Promise.resolve(found).then(fromResolver, unavailable) : fromResolver(found);
  };
}

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/** True when the key's scope allows this method and target (checked after the MAC). */
export function inScope(key: ActiveKey, method: string, target: string): boolean {
  if (key.methods && !key.methods.has(method)) return false;
  if (!key.pathPrefixes) return true;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  // A proxy or router may resolve dot segments after we checked the prefix.
  if (DOT_SEGMENT.test(path)) return false;
  return key.pathPrefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
}
