// The signature scheme options (v1 or RFC 9421), validated once. Kept apart
// from options.ts so the scheme choice stays in one place.
import { SigilError, type Algorithm, type SigilKey } from '@sigil/core';
import {
  componentId,
  rfc9421Key,
  signRfc9421,
  type ComponentIdentifier,
  type ComponentInput,
  type DigestAlgorithm,
  type Rfc9421Key,
} from '@sigil/core/rfc9421';
import * as z from 'zod/mini';

/**
 * A signature scheme: `'v1'`, one Sigil-Signature header (SPEC.md sections
 * 2-4), or `'rfc9421'`, HTTP Message Signatures with HMAC and Content-Digest
 * (SPEC.md section 9).
 *
 * @example
 * const scheme: SigningScheme = 'rfc9421';
 */
export type SigningScheme = 'v1' | 'rfc9421';

/**
 * How RFC 9421 signatures are made, with `scheme: 'rfc9421'`.
 *
 * @example
 * const rfc9421: Rfc9421SigningOptions = { digest: 'sha-512', expiresInSeconds: 60 };
 */
export interface Rfc9421SigningOptions {
  /** The signature's key in Signature-Input and Signature. Default `'sig1'`. */
  readonly label?: string;
  /** A `tag` parameter, for a verifier that selects signatures by tag. */
  readonly tag?: string;
  /**
   * Covered components, in order; a listed field the request lacks fails
   * with `signed_header_missing`. Default, per request: `@method`,
   * `@authority`, `@path`, `@query`, `content-digest` with content,
   * `content-type` when present, then the `signedHeaders` present.
   */
  readonly components?: readonly ComponentInput[];
  /** The Content-Digest algorithm (RFC 9530). Default `'sha-256'`. */
  readonly digest?: DigestAlgorithm;
  /** Adds `expires` = `created` + this many seconds. Default: no `expires`. */
  readonly expiresInSeconds?: number;
}

/** @internal The settled RFC 9421 configuration. */
export interface Rfc9421Config {
  readonly key: Rfc9421Key;
  readonly label: string;
  readonly tag: string | undefined;
  readonly components: readonly ComponentInput[] | undefined;
  readonly digest: DigestAlgorithm;
  readonly expiresInSeconds: number | undefined;
}

const isIdentifier = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';

/** @internal The zod shapes of `scheme` and `rfc9421`, spread into both option schemas. */
export const schemeShape = {
  scheme: z.optional(z.enum(['v1', 'rfc9421'])),
  rfc9421: z.optional(
    z.strictObject({
      label: z.optional(z.string()),
      tag: z.optional(z.string()),
      components: z.optional(z.array(z.union([z.string(), z.custom<ComponentIdentifier>(isIdentifier, { message: 'expected a name or { name, params }' })]))),
      digest: z.optional(z.enum(['sha-256', 'sha-512'])),
      expiresInSeconds: z.optional(z.number().check(z.int(), z.positive(), z.maximum(86_400))),
    }),
  ),
};

function invalid(detail: string): SigilError {
  return new SigilError('invalid_option', { detail: `options.${detail}` });
}

/**
 * @internal Settles the scheme: undefined for v1, the RFC 9421 config
 * otherwise. A trial signature runs core's own checks of the label and tag.
 */
export function settleScheme(
  options: { scheme?: SigningScheme; rfc9421?: Rfc9421SigningOptions },
  key: SigilKey,
  keyId: string,
  algorithm: Algorithm,
): Rfc9421Config | undefined {
  if ((options.scheme ?? 'v1') === 'v1') {
    if (options.rfc9421) throw invalid("rfc9421 is given but options.scheme is not 'rfc9421'");
    return undefined;
  }
  if (algorithm !== 'hmac-sha256') throw invalid("algorithm must be 'hmac-sha256' with scheme 'rfc9421' (RFC 9421 registers no HMAC-SHA512)");
  const o = options.rfc9421 ?? {};
  o.components?.forEach((component, i) => {
    try {
      componentId(component);
    } catch {
      throw invalid(`rfc9421.components.${i} is not a component identifier such as '@method' or 'content-type'`);
    }
  });
  const config: Rfc9421Config = {
    key: rfc9421Key(key, 'hmac-sha256'),
    label: o.label ?? 'sig1',
    tag: o.tag,
    components: o.components,
    digest: o.digest ?? 'sha-256',
    expiresInSeconds: o.expiresInSeconds,
  };
  try {
    signRfc9421({ method: 'GET', scheme: 'https', target: '/', headers: [['host', 'localhost']] }, config.key, {
      keyid: keyId,
      created: 0,
      label: config.label,
      components: [],
      ...(config.tag === undefined ? {} : { tag: config.tag }),
    });
  } catch {
    throw invalid('rfc9421.label must be a structured-field key (a-z, 0-9, _ - . *), and tag a string of visible ASCII');
  }
  return config;
}
