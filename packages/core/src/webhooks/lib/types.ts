// The shapes every webhook scheme shares. A scheme is a value (WebhookScheme)
// built by one factory per vendor file; the verifier pipeline that wires
// schemes in only ever calls detect → parse → checkTimestamp → matchSecret →
// replay, or verify() for all of them at once.
import type { SigilError, SigilErrorCode } from '../../errors.js';
import type { HeaderList, HeadersLike } from '../../request.js';

/** The webhook schemes Sigil verifies. */
export type WebhookSchemeName = 'standard-webhooks' | 'stripe' | 'github' | 'slack' | 'shopify';

/** What a webhook verification reads: the field lines and the raw body bytes, untouched. */
export interface WebhookRequest {
  readonly headers: HeaderList | HeadersLike;
  /** The raw body bytes as received; absent, null and empty all mean an empty body. */
  readonly body?: Uint8Array | null;
}

/** One secret, or several during a rotation, exactly as the vendor shows it. */
export type WebhookSecrets = string | readonly string[];

/**
 * What a scheme's headers claim, after a strict parse and before any MAC.
 * It says what it has: a timestamp only where the scheme signs one, an id
 * only where the sender gives one, and whether that id is covered by the MAC.
 */
export interface WebhookClaim {
  readonly scheme: WebhookSchemeName;
  /** Decoded MACs of the version Sigil accepts, in header order (at least one). */
  readonly signatures: readonly Uint8Array[];
  /** Entries of other versions or schemes that were skipped (never `v0` for Stripe: skipped too, never accepted). */
  readonly skipped: number;
  /** Unix seconds, for schemes that sign a timestamp. */
  readonly timestamp?: number;
  /** The timestamp exactly as sent (the signed bytes use this text). */
  readonly timestampText?: string;
  /** The sender's message or delivery id, when it sends one. */
  readonly id?: string;
  /** True when `id` is covered by the MAC (Standard Webhooks); false for GitHub's and Shopify's delivery ids. */
  readonly idSigned: boolean;
}

/**
 * What to remember once the MAC is valid, so the same delivery is accepted
 * once. `key` fits the NonceStore's nonce syntax (43 base64url characters).
 */
export interface WebhookReplay {
  /** base64url SHA-256 of a domain-separated encoding of the scheme and `source` data. */
  readonly key: string;
  /** `id`: the signed message id; `content`: the signed bytes themselves (no signed id exists). */
  readonly source: 'id' | 'content';
  /** How long to remember `key`, in seconds from acceptance. */
  readonly retentionSeconds: number;
}

/** A verified delivery. */
export interface WebhookVerified {
  readonly ok: true;
  readonly scheme: WebhookSchemeName;
  /** Index in the configured secrets of the secret that matched (the first, when several would). */
  readonly secretIndex: number;
  readonly timestamp?: number;
  /** The sender's id; for GitHub and Shopify it is NOT covered by the MAC (see `idSigned`). */
  readonly id?: string;
  readonly idSigned: boolean;
  readonly replay: WebhookReplay;
}

/** A refused delivery: the first failing check's code. */
export interface WebhookRefused {
  readonly ok: false;
  readonly scheme: WebhookSchemeName;
  readonly code: SigilErrorCode;
  readonly error: SigilError;
}

export type WebhookVerifyResult = WebhookVerified | WebhookRefused;

/**
 * What a scheme's MAC covers. The body always; a timestamp and the sender's
 * id only where the scheme signs them. A policy that needs a signed time
 * (or a signed id) checks this once, at configuration.
 */
export interface WebhookCoverage {
  readonly body: true;
  readonly timestamp: boolean;
  readonly id: boolean;
}

/**
 * One webhook scheme with its secrets prepared and its policy validated.
 * Every step is synchronous and takes the clock as an argument.
 */
export interface WebhookScheme {
  readonly name: WebhookSchemeName;
  /** The lowercase name of the header that carries the signature. */
  readonly signatureHeader: string;
  /** Two-sided timestamp tolerance in seconds (unused by schemes without a timestamp). */
  readonly toleranceSeconds: number;
  /** Replay retention in seconds. */
  readonly retentionSeconds: number;
  /** What the MAC covers (fixed per scheme). */
  readonly covers: WebhookCoverage;
  /** True when the request carries a field line of this scheme's signature header. Never throws. */
  detect(headers: HeaderList | HeadersLike): boolean;
  /** Strict parse of the scheme's headers. Throws a SigilError. */
  parse(headers: HeaderList | HeadersLike): WebhookClaim;
  /** Throws `timestamp_out_of_window` when the claim's timestamp is more than the tolerance from `now` (Unix seconds) either way. */
  checkTimestamp(claim: WebhookClaim, now: number): void;
  /** The exact bytes the sender MACed. */
  signedContent(claim: WebhookClaim, body: Uint8Array): Uint8Array;
  /** Index of the first secret whose MAC equals any signature, or -1. Every pair is compared, in constant time. */
  matchSecret(claim: WebhookClaim, body: Uint8Array): number;
  /** What to remember for replay, for a claim whose MAC matched. */
  replay(claim: WebhookClaim, body: Uint8Array): WebhookReplay;
  /** parse → timestamp → MAC → replay. Never throws for a bad request. */
  verify(request: WebhookRequest, now: number): WebhookVerifyResult;
}

/** Policy every scheme factory accepts. */
export interface WebhookSchemeOptions {
  /** The endpoint's secret, or several during a rotation (at most 16), as the vendor shows them. */
  readonly secrets: WebhookSecrets;
  /** Two-sided timestamp tolerance in seconds; default 300. */
  readonly toleranceSeconds?: number;
  /** How long an accepted delivery is remembered, in seconds; default per scheme (see its docs page). */
  readonly retentionSeconds?: number;
}
