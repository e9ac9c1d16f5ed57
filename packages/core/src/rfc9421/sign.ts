import { SigilError } from '../errors.js';
import { base64Encode } from '../lib/encoding.js';
import { headerValue, type HeaderList, type HeadersLike } from '../request.js';
import { generateNonce } from '../sign.js';
import { buildBase, requestResolver, type ComponentResolver, type SignatureBaseOptions } from './base.js';
import { componentItem, type ComponentInput } from './components.js';
import { checkContentDigest, requestDigest, type DigestAlgorithm } from './digest.js';
import { checkBoundKey, type Rfc9421Key } from './keys.js';
import { paramsMap } from './params.js';
import { defaultComponents, hasContent } from './policy.js';
import type { Rfc9421Request } from './request.js';
import { serializeBareItem } from './sf/serialize.js';
import type { Parameters } from './sf/types.js';

/** Options of signRfc9421(). */
export interface SignRfc9421Options extends SignatureBaseOptions {
  /** The key id the verifier looks the secret up by. */
  readonly keyid: string;
  /** Unix seconds. Core has no clock: the caller passes its own. */
  readonly created: number;
  /** Unix seconds after which the signature is void. Optional. */
  readonly expires?: number;
  /**
   * Default: 128 fresh random bits, base64url. Pass one only in tests and
   * vectors; `false` omits it, for peers without replay protection (a Sigil
   * verifier requires a nonce).
   */
  readonly nonce?: string | false;
  /** Application tag (RFC 9421 section 2.3) a verifier can select the signature by. */
  readonly tag?: string;
  /** The dictionary key of this signature in Signature-Input and Signature. Default `sig1`. */
  readonly label?: string;
  /** Covered components, in order. Default: defaultComponents(request). */
  readonly components?: readonly ComponentInput[];
  /** Content-Digest to add when the request has content. Default `sha-256`; false adds none. */
  readonly contentDigest?: DigestAlgorithm | false;
  /** Send the `alg` parameter. Default true. */
  readonly includeAlg?: boolean;
}

/** What signRfc9421() produces: field values to add to the request. */
export interface SignRfc9421Result {
  readonly label: string;
  /** The Signature-Input member: `sig1=("@method" ...);created=...`. */
  readonly signatureInput: string;
  /** The Signature member: `sig1=:<base64>:`. */
  readonly signature: string;
  /** A Content-Digest value to send, when Sigil computed one (the request had none). */
  readonly contentDigest?: string;
  /** The signature base that was MACed, for debugging and vectors. */
  readonly base: string;
  readonly params: Parameters;
}

const LABEL = /^[a-z*][a-z0-9_\-.*]{0,63}$/;

function withHeader(headers: HeaderList | HeadersLike, name: string, value: string): HeaderList | HeadersLike {
  if (Array.isArray(headers)) return [...(headers as HeaderList), [name, value]];
  const inner = headers as HeadersLike;
  return { get: (n: string) => (n.toLowerCase() === name ? value : inner.get(n)) };
}

/**
 * Signs a request with RFC 9421 HTTP Message Signatures and HMAC. Returns
 * the Signature-Input and Signature members (and a Content-Digest) to add
 * to the request; a request that already carries signatures keeps them and
 * gets these as further members or field lines.
 *
 * @example
 * const { signatureInput, signature, contentDigest } = signRfc9421(
 *   { method: 'POST', scheme: 'https', target: '/v1/orders', headers: [['host', 'api.example.com']], body },
 *   rfc9421Key(key),
 *   { keyid: 'client-1', created: Math.floor(Date.now() / 1000) },
 * );
 */
export function signRfc9421(request: Rfc9421Request, key: Rfc9421Key, options: SignRfc9421Options): SignRfc9421Result {
  checkBoundKey(key, 'key');
  if (typeof options !== 'object' || options === null) throw new SigilError('invalid_option', { detail: 'options' });
  return signMessage(request, (signed) => requestResolver(signed, options), options.components ?? defaultComponents(request), key, options);
}

/** A message as signMessage reads it: its fields and content. */
type Message = { readonly headers: HeaderList | HeadersLike; readonly body?: Uint8Array | null; readonly bodySha256?: string };

/**
 * @internal Signs a request or a response: Content-Digest, parameters,
 * base, MAC. `resolverOf` reads components from the message as signed
 * (with any Content-Digest added).
 */
export function signMessage<M extends Message>(
  message: M,
  resolverOf: (signed: M) => ComponentResolver,
  components: readonly ComponentInput[],
  key: Rfc9421Key,
  options: Omit<SignRfc9421Options, 'components'>,
): SignRfc9421Result {
  const label = options.label ?? 'sig1';
  if (typeof label !== 'string' || !LABEL.test(label)) throw new SigilError('invalid_option', { detail: 'label must be an sf-key' });
  if (typeof options.keyid !== 'string' || options.keyid.length === 0) throw new SigilError('invalid_option', { detail: 'keyid' });
  const digestAlg = options.contentDigest ?? 'sha-256';
  if (!Array.isArray(components)) throw new SigilError('invalid_option', { detail: 'components must be an array' });
  const items = components.map((c) => componentItem(c, 'components'));

  let signed = message;
  let addedDigest: string | undefined;
  // Only the message's own content-digest: "content-digest";req is the request's.
  const covered = items.some((item) => item.value === 'content-digest' && !item.params.has('req'));
  const existing = headerValue(message.headers, 'content-digest');
  if (existing !== undefined) {
    // Never sign a digest that does not match the content.
    checkContentDigest(existing, message.body, message.bodySha256 === undefined ? {} : { bodySha256: message.bodySha256 });
  } else if (digestAlg !== false && (covered || hasContent(message))) {
    addedDigest = requestDigest(message, digestAlg);
    signed = { ...message, headers: withHeader(message.headers, 'content-digest', addedDigest) };
  }

  const params = paramsMap(
    new Map(
      Object.entries({
        created: options.created,
        expires: options.expires,
        keyid: options.keyid,
        alg: options.includeAlg === false ? undefined : key.algorithm,
        nonce: options.nonce === false ? undefined : (options.nonce ?? generateNonce()),
        tag: options.tag,
      }).filter(([, v]) => v !== undefined) as [string, string | number][],
    ),
  );
  if (params.get('created') === undefined) throw new SigilError('invalid_option', { detail: 'created' });
  const { base, signatureParams } = buildBase({ items, params }, resolverOf(signed), 'invalid_option');
  const mac = key.key.mac(key.algorithm, base);
  return {
    label,
    signatureInput: `${label}=${signatureParams}`,
    signature: `${label}=${serializeBareItem(mac)}`,
    ...(addedDigest === undefined ? {} : { contentDigest: addedDigest }),
    base,
    params,
  };
}
