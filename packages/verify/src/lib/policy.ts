// createVerifier() options: validated once with zod, then turned into the
// plain values the hot path reads. Nothing here runs per request.
import { checkHeaderList, signedHeaderList, SigilError } from '@sigil/core';
import { parseOptions } from '@sigil/core/options';
import { componentId, type ComponentInput } from '@sigil/core/rfc9421';
import * as z from 'zod/mini';
import type { NonceStore } from '../nonce-store.js';
import type { MixedVerifierOptions, Rfc9421VerifierOptions, VerifierOptions, WebhookVerifierOptions } from '../options.js';
import type { SignatureScheme, VerifierEvent } from '../types.js';
import { describeIssue } from './issue.js';
import { keyRing, keysSchema, type KeyRing } from './keys.js';
import type { Scheme } from './scheme.js';
import { rfc9421Scheme } from './scheme-rfc9421.js';
import { v1Scheme } from './scheme-v1.js';
import { isWebhookScheme, notAScheme, webhookScheme } from './scheme-webhook.js';

/** The verifier's settled configuration. */
export interface Policy {
  readonly keys: KeyRing;
  readonly nonceStore: NonceStore | undefined;
  readonly toleranceSeconds: number;
  readonly requiredHeaders: readonly string[];
  readonly allowUnsignedContentType: boolean;
  /** The accepted schemes, as values, in the order given. */
  readonly schemes: readonly Scheme[];
  /** Their step-2 checks, each function once. */
  readonly screens: readonly NonNullable<Scheme['screen']>[];
  readonly rfc9421: Rfc9421VerifierOptions;
  readonly maxBodyBytes: number;
  readonly requireHttps: boolean;
  readonly trustProxy: boolean;
  readonly clock: () => number;
  readonly debug: boolean;
  readonly onEvent: ((event: VerifierEvent) => void) | undefined;
}

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { message: `expected ${what}` });

const optionsSchema = z
  .strictObject({
    keys: z.optional(keysSchema),
    nonceStore: z.optional(
      z.custom<NonceStore>(
        (v) => typeof v === 'object' && v !== null && typeof (v as NonceStore).checkAndStore === 'function',
        { message: 'expected a NonceStore (an object with checkAndStore())' },
      ),
    ),
    replay: z.optional(z.boolean()),
    toleranceSeconds: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(86_400))),
    requiredHeaders: z.optional(z.array(z.string())),
    allowUnsignedContentType: z.optional(z.boolean()),
    // Each entry is checked by schemeList(): a name or a webhook scheme value.
    schemes: z.optional(z.array(z.unknown()).check(z.minLength(1))),
    rfc9421: z.optional(
      z.strictObject({
        requiredComponents: z.optional(z.array(z.union([z.string(), z.strictObject({ name: z.string(), params: z.optional(z.unknown()) })]))),
        label: z.optional(z.string().check(z.minLength(1))),
        tag: z.optional(z.string()),
        structuredFields: z.optional(z.record(z.string(), z.enum(['item', 'list', 'dictionary']))),
        allowUnsignedContent: z.optional(z.boolean()),
        acceptSignature: z.optional(z.boolean()),
      }),
    ),
    maxBodyBytes: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(2 ** 31))),
    requireHttps: z.optional(z.boolean()),
    allowInsecureHttp: z.optional(z.boolean()),
    trustProxy: z.optional(z.boolean()),
    clock: z.optional(fn<() => number>('a function returning milliseconds since the epoch')),
    debug: z.optional(z.boolean()),
    onEvent: z.optional(fn<(event: VerifierEvent) => void>('a function')),
  });

/** The built-in schemes by name. */
const SCHEMES: Readonly<Record<SignatureScheme, Scheme>> = { v1: v1Scheme, rfc9421: rfc9421Scheme };

/** `schemes` as pipeline schemes, in the order given: names of the built-in ones, webhook scheme values. */
function schemeList(list: readonly unknown[]): Scheme[] {
  const schemes = list.map((entry, i): Scheme => {
    if (entry === 'v1' || entry === 'rfc9421') return SCHEMES[entry];
    if (isWebhookScheme(entry)) return webhookScheme(entry);
    throw notAScheme(i);
  });
  // Two entries of one scheme would read the same header: a rotation is several secrets in one scheme.
  if (new Set(schemes.map((scheme) => scheme.name)).size !== schemes.length) throw invalid('schemes: expected each scheme at most once');
  return schemes;
}

/** A verifier of webhooks only has no keys: its secrets are its schemes'. */
const NO_KEY_IDS: KeyRing = () => [];

function invalid(detail: string): SigilError {
  return new SigilError('invalid_option', { detail });
}

function requiredList(names: readonly string[]): string[] {
  let list: string[];
  try {
    list = signedHeaderList(names);
  } catch {
    throw invalid('requiredHeaders must hold HTTP field names');
  }
  const problem = checkHeaderList(list);
  if (problem) throw invalid(`requiredHeaders: ${problem.replace(/^h /, 'the list ')}`);
  return list.filter((name) => name !== 'host');
}

/** Each required component must be a component identifier core can serialise. */
function componentList(list: readonly ComponentInput[] | undefined): readonly ComponentInput[] | undefined {
  list?.forEach((component, i) => {
    try {
      componentId(component);
    } catch {
      throw invalid(`rfc9421.requiredComponents.${i}: expected a component identifier such as '@method' or 'content-type'`);
    }
  });
  return list;
}

function isProduction(): boolean {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.NODE_ENV === 'production';
}

/**
 * Validates options and settles defaults. Throws `invalid_option` naming the
 * first offending option; never echoes a value (it might be a secret).
 */
export function settlePolicy(options: VerifierOptions | MixedVerifierOptions | WebhookVerifierOptions): Policy {
  if (typeof options !== 'object' || options === null) throw invalid('createVerifier() needs an options object');
  const parsed = parseOptions(optionsSchema, options);
  if (!parsed.success) {
    throw invalid(describeIssue(parsed.error, 'options'));
  }
  const o = parsed.data;
  const replay = o.replay ?? true;
  if (replay && !o.nonceStore) throw invalid('nonceStore is required (replay protection is off only with replay: false)');
  if (!replay && o.nonceStore) throw invalid('nonceStore is given but replay is false');
  if (o.debug && isProduction()) throw invalid('debug cannot be enabled when NODE_ENV is production');
  const schemes = o.schemes ? schemeList(o.schemes) : [v1Scheme];
  const keyed = schemes.some((scheme) => scheme.keys === 'request');
  if (keyed && o.keys === undefined) throw invalid('keys: required for the v1 and rfc9421 schemes');
  if (!keyed && o.keys !== undefined) throw invalid('keys is given but no scheme uses it: a webhook scheme holds its own secrets');
  const rfc9421 = 'rfc9421' in options ? options.rfc9421 : undefined;
  if (rfc9421 && !schemes.includes(rfc9421Scheme)) throw invalid("rfc9421 is given but schemes does not include 'rfc9421'");
  const requiredComponents = componentList(rfc9421?.requiredComponents);
  return {
    keys: !('keys' in options) || options.keys === undefined ? NO_KEY_IDS : keyRing(options.keys),
    nonceStore: replay ? o.nonceStore : undefined,
    toleranceSeconds: o.toleranceSeconds ?? 300,
    requiredHeaders: requiredList(o.requiredHeaders ?? []),
    allowUnsignedContentType: o.allowUnsignedContentType ?? false,
    schemes,
    screens: [...new Set(schemes.flatMap((scheme) => (scheme.screen ? [scheme.screen] : [])))],
    rfc9421: { ...rfc9421, ...(requiredComponents ? { requiredComponents: [...requiredComponents] } : {}) },
    maxBodyBytes: o.maxBodyBytes ?? 1024 * 1024,
    requireHttps: (o.requireHttps ?? true) && !(o.allowInsecureHttp ?? false),
    trustProxy: o.trustProxy ?? false,
    clock: o.clock ?? Date.now,
    debug: o.debug ?? false,
    onEvent: o.onEvent,
  };
}
