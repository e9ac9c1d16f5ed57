// Builds a WebhookScheme from a vendor's definition: validates the policy
// once, prepares one HMAC state per secret, and runs the one pipeline every
// scheme shares (parse → timestamp → MAC → replay). A vendor file only says
// how to read its secret and headers and which bytes it signs.
import * as z from 'zod/mini';
import { describeIssue } from '../../options/describe.js';
import { parseOptions } from '../../options/parse.js';
import { backend, type PreparedBytesMac } from '../../crypto.js';
import { SigilError } from '../../errors.js';
import { base64urlEncode, timingSafeEqual, utf8 } from '../../lib/encoding.js';
import { headerCount, type HeaderList, type HeadersLike } from '../../request.js';
import { MAX_SIGNATURES, prefixed } from './grammar.js';
import type { WebhookClaim, WebhookCoverage, WebhookReplay, WebhookRequest, WebhookScheme, WebhookSchemeName, WebhookSchemeOptions, WebhookVerifyResult } from './types.js';

/** What a vendor file defines. */
export interface SchemeDefinition {
  readonly name: WebhookSchemeName;
  readonly signatureHeader: string;
  /** What the MAC covers, for the pipeline's coverage step (a signed timestamp: the tolerance applies). */
  readonly covers: WebhookCoverage;
  readonly defaultRetentionSeconds: number;
  /** The HMAC key bytes of one secret as the vendor shows it; throws `invalid_key`. */
  readonly secretBytes: (secret: string) => Uint8Array;
  readonly parse: (headers: HeaderList | HeadersLike) => WebhookClaim;
  readonly signedContent: (claim: WebhookClaim, body: Uint8Array) => Uint8Array;
}

/** Default two-sided tolerance, seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
const MAX_TOLERANCE_SECONDS = 86_400;
const MAX_RETENTION_SECONDS = 366 * 86_400;

const optionsSchema = z.strictObject({
  secrets: z.union([z.string(), z.array(z.string()).check(z.minLength(1), z.maxLength(MAX_SIGNATURES))]),
  toleranceSeconds: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(MAX_TOLERANCE_SECONDS))),
  retentionSeconds: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(MAX_RETENTION_SECONDS))),
});

function invalid(detail: string): SigilError {
  return new SigilError('invalid_option', { detail });
}

/** Reads one secret with the scheme's reading; an error names the secret's index, never its text. */
function prepare(def: SchemeDefinition, secrets: readonly string[]): PreparedBytesMac[] {
  return secrets.map((secret, index) => {
    let bytes: Uint8Array;
    try {
      bytes = def.secretBytes(secret);
    } catch (error) {
      if (error instanceof SigilError) throw new SigilError('invalid_key', { detail: `${def.name} secrets[${index}]: ${error.message}` });
      throw error;
    }
    const mac = backend.prepareBytesMac('hmac-sha256', bytes);
    bytes.fill(0);
    return mac;
  });
}

const REPLAY_DOMAIN = 'sigil-webhook-replay';

/**
 * The replay key: base64url(SHA-256("sigil-webhook-replay" 0x00 scheme 0x00
 * source 0x00 data)), 43 characters, where data is the signed id's UTF-8
 * bytes or the signed content.
 */
export function replayKey(scheme: WebhookSchemeName, source: 'id' | 'content', data: Uint8Array): string {
  return base64urlEncode(backend.digest('sha256', prefixed(`${REPLAY_DOMAIN}\0${scheme}\0${source}\0`, data)));
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const EMPTY = new Uint8Array(0);

/** A scheme factory for `def`: `(options) => WebhookScheme`. */
export function defineScheme(def: SchemeDefinition): (options: WebhookSchemeOptions) => WebhookScheme {
  return (options) => {
    if (typeof options !== 'object' || options === null) throw invalid(`${def.name}: needs an options object`);
    const parsed = parseOptions(optionsSchema, options);
    if (!parsed.success) throw invalid(`${def.name}: ${describeIssue(parsed.error, 'options')}`);
    const o = parsed.data;
    const toleranceSeconds = o.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    const retentionSeconds = o.retentionSeconds ?? Math.max(def.defaultRetentionSeconds, 2 * toleranceSeconds);
    // A timestamp is accepted during 2 x tolerance of wall time; forgetting
    // a delivery sooner would let it be replayed inside the window.
    if (def.covers.timestamp && retentionSeconds < 2 * toleranceSeconds) {
      throw invalid(`${def.name}: retentionSeconds must be at least twice toleranceSeconds`);
    }
    const macs = prepare(def, typeof o.secrets === 'string' ? [o.secrets] : o.secrets);

    const scheme: WebhookScheme = {
      name: def.name,
      signatureHeader: def.signatureHeader,
      toleranceSeconds,
      retentionSeconds,
      // A field line is enough: detect never reads (or rejects) the value.
      detect: (headers) => headerCount(headers, def.signatureHeader) > 0,
      covers: def.covers,
      parse: def.parse,
      checkTimestamp(claim, now) {
        if (claim.timestamp === undefined) return;
        if (Math.abs(now - claim.timestamp) > toleranceSeconds) throw new SigilError('timestamp_out_of_window');
      },
      signedContent: def.signedContent,
      matchSecret(claim, body) {
        const content = def.signedContent(claim, body);
        let match = -1;
        // Every secret against every signature, even after a match, so the
        // time taken says nothing about which secret or entry matched.
        for (let i = 0; i < macs.length; i++) {
          const expected = macs[i]!(content);
          let hit = false;
          for (const signature of claim.signatures) hit = timingSafeEqual(expected, signature) || hit;
          if (hit && match < 0) match = i;
        }
        return match;
      },
      replay(claim, body): WebhookReplay {
        if (claim.idSigned && claim.id !== undefined) {
          return { key: replayKey(def.name, 'id', utf8(claim.id)), source: 'id', retentionSeconds };
        }
        return { key: replayKey(def.name, 'content', def.signedContent(claim, body)), source: 'content', retentionSeconds };
      },
      verify(request, now): WebhookVerifyResult {
        const body = request.body ?? EMPTY;
        try {
          const claim = scheme.parse(request.headers);
          scheme.checkTimestamp(claim, now);
          const secretIndex = scheme.matchSecret(claim, body);
          if (secretIndex < 0) throw new SigilError('signature_invalid');
          return {
            ok: true,
            scheme: def.name,
            secretIndex,
            ...(claim.timestamp === undefined ? {} : { timestamp: claim.timestamp }),
            ...(claim.id === undefined ? {} : { id: claim.id }),
            idSigned: claim.idSigned,
            replay: scheme.replay(claim, body),
          };
        } catch (error) {
          if (error instanceof SigilError) return { ok: false, scheme: def.name, code: error.code, error };
          throw error;
        }
      },
    };
    const shown = { name: def.name, toleranceSeconds, retentionSeconds, secrets: macs.length };
    Object.defineProperty(scheme, 'toJSON', { value: () => shown });
    Object.defineProperty(scheme, INSPECT, { value: () => `WebhookScheme ${JSON.stringify(shown)}` });
    return Object.freeze(scheme);
  };
}

/** The secrets of a sign call as a list (1 to 16). */
export function secretList(secrets: string | readonly string[], scheme: string): readonly string[] {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_SIGNATURES || !list.every((s) => typeof s === 'string')) {
    throw invalid(`${scheme}: secrets must be a string or 1-${MAX_SIGNATURES} strings`);
  }
  return list;
}

/** MACs `content` with each secret read the scheme's way. */
export function macAll(def: Pick<SchemeDefinition, 'name' | 'secretBytes'>, secrets: string | readonly string[], content: Uint8Array): Uint8Array[] {
  return prepare(def as SchemeDefinition, secretList(secrets, def.name)).map((mac) => mac(content));
}

/** Options of a one-shot verify function: the scheme's options and the clock (Unix seconds). */
export type OneShotVerifyOptions = WebhookSchemeOptions & { readonly now: number };

/** A one-shot verify function over `factory`: builds the scheme, verifies one request. */
export function oneShotVerify(factory: (options: WebhookSchemeOptions) => WebhookScheme): (request: WebhookRequest, options: OneShotVerifyOptions) => WebhookVerifyResult {
  return (request, options) => {
    if (typeof options !== 'object' || options === null) throw invalid('verify needs an options object');
    const { now, ...rest } = options;
    if (typeof now !== 'number' || !Number.isFinite(now)) throw invalid('now must be Unix seconds');
    return factory(rest).verify(request, now);
  };
}
