// The sender's options, validated once at construction. Messages name the
// option and state the expectation; they never echo a value (a secret may
// have been passed in the wrong place).
import { SigilError } from '@sigil/core';
import { parseWebhookSecret } from '@sigil/core/webhooks';
import { describeIssue, parseOptions } from '@sigil/core/options';
import * as z from 'zod/mini';
import { parseCidr, type Cidr } from './lib/ip.js';
import type { WebhookLookup } from './lib/destination.js';
import type { WebhookEvent } from './events.js';

/** TLS settings for the connection (passed to `tls.connect`); the certificate is always verified against the URL's host name. */
export interface WebhookTlsOptions {
  /** Extra trusted CA certificates (PEM), e.g. a private CA for an internal receiver or a test. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
}

/**
 * Options of createWebhookSender(). Every duration is in milliseconds.
 *
 * @example
 * const options: WebhookSenderOptions = { secrets: process.env.WEBHOOK_SECRET!, maxAttempts: 3 };
 */
export interface WebhookSenderOptions {
  /** `whsec_` secrets; during a rotation give several and each signs (space-separated `v1,` entries). */
  readonly secrets: string | readonly string[];
  /** Send to `http://` URLs too. Default false: HTTPS only. */
  readonly allowHttp?: boolean;
  /**
   * Destinations the operator trusts even though their addresses are in a
   * blocked range: CIDRs (`10.1.2.0/24`, `::1/128`) or exact host names
   * (`hooks.internal`). The address is still resolved once and pinned.
   */
  readonly allow?: { readonly cidrs?: readonly string[]; readonly hosts?: readonly string[] };
  /** Resolver used instead of `dns.lookup` (every answer is checked). */
  readonly lookup?: WebhookLookup;
  /** TLS settings (extra CAs). */
  readonly tls?: WebhookTlsOptions;
  /** Upper bound on one attempt: connect, request, response head and the capped body. Default 15000. */
  readonly timeoutMs?: number;
  /** Attempts per delivery, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Upper bound on one delivery, all attempts and waits included. Default 120000. */
  readonly maxTotalMs?: number;
  /** Delay before the second attempt; doubles each time. Default 1000. */
  readonly initialDelayMs?: number;
  /** Largest backoff delay. Default 30000. */
  readonly maxDelayMs?: number;
  /** Fraction of each backoff delay taken off at random, 0 to 1. Default 0.25 (delays in [0.75 d, d]). */
  readonly jitter?: number;
  /** Largest `Retry-After` honoured; longer ones wait this long. Default 60000. */
  readonly maxRetryAfterMs?: number;
  /** Largest body (the JSON envelope), in bytes. Default 262144 (256 KiB). */
  readonly maxPayloadBytes?: number;
  /** Bytes of a response body read before the rest is dropped. Default 4096. */
  readonly maxResponseBytes?: number;
  /** Redirects followed per attempt (307 and 308 only; every hop re-checked). Default 0: none. */
  readonly maxRedirects?: number;
  /** `User-Agent` header. Default `Sigil-Webhooks/1`. */
  readonly userAgent?: string;
  /** Called once per attempt. Never sees the secret, the signature or the payload. */
  readonly onEvent?: (event: WebhookEvent) => void;
  /** Milliseconds since the epoch; for tests. Default Date.now. */
  readonly clock?: () => number;
  /** A number in [0, 1); for tests. Default Math.random. */
  readonly random?: () => number;
}

const fn = <T>(message: string) => z.custom<T>((value) => typeof value === 'function', { message });
const ms = (max: number) => z.number().check(z.int(), z.minimum(0), z.maximum(max));
const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

const cidrs = z.array(z.string().check(z.refine((text) => parseCidr(text) !== undefined, 'expected CIDRs like 10.0.0.0/8 or ::1/128 (no host bits set)'))).check(z.maxLength(1024));
const hosts = z.array(z.string().check(z.regex(/^[A-Za-z0-9.-]{1,253}$/, 'expected host names (letters, digits, dots, hyphens)'))).check(z.maxLength(1024));
const pem = z.union([z.string(), z.instanceof(Buffer)]);

const schema = z.strictObject({
  secrets: z.union([z.string(), z.array(z.string()).check(z.minLength(1), z.maxLength(8))]),
  allowHttp: z._default(z.boolean(), false),
  allow: z._default(z.strictObject({ cidrs: z._default(cidrs, []), hosts: z._default(hosts, []) }), { cidrs: [], hosts: [] }),
  lookup: z.optional(fn<WebhookLookup>('expected a function (hostname, { signal }) => Promise<{ address, family }[]>')),
  tls: z._default(z.strictObject({ ca: z.optional(z.union([pem, z.array(pem)])) }), {}),
  timeoutMs: z._default(ms(600_000).check(z.minimum(1)), 15_000),
  maxAttempts: z._default(int(1, 20), 5),
  maxTotalMs: z._default(ms(86_400_000).check(z.minimum(1)), 120_000),
  initialDelayMs: z._default(ms(3_600_000), 1_000),
  maxDelayMs: z._default(ms(3_600_000), 30_000),
  jitter: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.25),
  maxRetryAfterMs: z._default(ms(3_600_000), 60_000),
  maxPayloadBytes: z._default(int(1, 64 * 1024 * 1024), 256 * 1024),
  maxResponseBytes: z._default(int(0, 1024 * 1024), 4096),
  maxRedirects: z._default(int(0, 10), 0),
  userAgent: z._default(z.string().check(z.regex(/^[\x20-\x7e]{1,256}$/, 'expected 1-256 printable ASCII characters')), 'Sigil-Webhooks/1'),
  onEvent: z.optional(fn<(event: WebhookEvent) => void>('expected a function')),
  clock: z._default(fn<() => number>('expected a function returning milliseconds since the epoch'), () => Date.now),
  random: z._default(fn<() => number>('expected a function returning a number in [0, 1)'), () => Math.random),
});

/** Options after validation, defaults applied, secrets checked and CIDRs parsed. */
export type ResolvedOptions = Omit<z.output<typeof schema>, 'secrets' | 'allow'> & {
  readonly secrets: readonly string[];
  readonly allowCidrs: readonly Cidr[];
  readonly allowHosts: ReadonlySet<string>;
};

function invalid(detail: string): SigilError {
  return new SigilError('invalid_option', { detail });
}

/** Validates the options; throws `invalid_option` naming the first bad one. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = parseOptions(schema, options);
  if (!parsed.success) throw invalid(describeIssue(parsed.error, 'options'));
  const { secrets, allow, ...rest } = parsed.data;
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  for (const [index, secret] of list.entries()) {
    try {
      parseWebhookSecret(secret).fill(0);
    } catch {
      throw invalid(`secrets${typeof secrets === 'string' ? '' : `.${index}`}: expected whsec_ followed by base64 of 24-64 bytes (see generateWebhookSecret)`);
    }
  }
  if (rest.maxDelayMs < rest.initialDelayMs) throw invalid('maxDelayMs: expected at least initialDelayMs');
  return {
    ...rest,
    secrets: Object.freeze([...list]),
    allowCidrs: allow.cidrs.map((text) => parseCidr(text)!),
    allowHosts: new Set(allow.hosts.map(normaliseHost)),
  };
}

/** Lowercase, without a trailing dot: how host names are compared. */
export function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}
