// The verification pipeline, one for both schemes, in the order SPEC.md
// section 4 states: cheapest first; the body is read only after the header,
// timestamp and key checks pass; the nonce is stored only after the MAC (and
// the key's scope) pass. Steps 3-4, 6 and 9-10 are the scheme's (scheme.ts);
// every other step is here, once.
import { hasSignatureInQuery, isSigilError, type SigilErrorCode } from '@sigil/core';
import type { VerificationResult, VerifierRequest } from '../types.js';
import { inScope, type ActiveKey } from './keys.js';
import type { Policy } from './policy.js';
import { declaredLength, transportAllowed } from './request-parts.js';
import { failure, pickScheme, type Claim, type SchemeSignature } from './scheme.js';
import { parseRfc9421 } from './scheme-rfc9421.js';
import { parseV1 } from './scheme-v1.js';

const EMPTY = new Uint8Array(0);

/** Core raises only SigilErrors for bad input; anything else is a bug and propagates. */
function codeOf(error: unknown): SigilErrorCode {
  if (isSigilError(error)) return error.code;
  throw error;
}

/** Step 8: the declared length first, then the bytes, capped. */
async function readBody(policy: Policy, request: VerifierRequest): Promise<Uint8Array | SigilErrorCode> {
  const max = policy.maxBodyBytes;
  const declared = declaredLength(request.headers);
  if (declared !== undefined && declared > max) return 'body_too_large';
  const source = request.body;
  let body: unknown = source ?? EMPTY;
  if (typeof source === 'function') {
    try {
      body = await source(max);
    } catch (error) {
      return isSigilError(error, 'body_too_large') ? 'body_too_large' : 'body_read_failed';
    }
  }
  if (!(body instanceof Uint8Array)) return 'body_read_failed';
  return body.length > max ? 'body_too_large' : body;
}

/** Step 5 (and its re-check at step 12): `created` within the window both ways, `expires` not past. */
function inWindow(policy: Policy, claim: Claim, now: number): boolean {
  return Math.abs(now - claim.created) <= policy.toleranceSeconds && !(claim.expires !== undefined && now > claim.expires);
}

/** Step 12: one atomic check-and-store; every store failure fails closed. */
async function storeNonce(policy: Policy, claim: Claim): Promise<SigilErrorCode | undefined> {
  const store = policy.nonceStore;
  if (!store) return undefined;
  // Kept until the last millisecond at which step 5 still accepts this ts.
  const expiresAtMs = (claim.created + policy.toleranceSeconds + 1) * 1000;
  // A slow body may have outlived the window: the store would refuse a past expiry.
  const nowMs = policy.clock();
  if (nowMs >= expiresAtMs || !inWindow(policy, claim, Math.floor(nowMs / 1000))) return 'timestamp_out_of_window';
  try {
    const fresh = await store.checkAndStore(claim.keyId, claim.nonce, expiresAtMs);
    if (fresh === true) return undefined;
    return fresh === false ? 'nonce_replayed' : 'nonce_store_unavailable';
  } catch (error) {
    return isSigilError(error, 'nonce_store_full') ? 'nonce_store_full' : 'nonce_store_unavailable';
  }
}

/** What the caller learns even when the checks fail: for events only. */
export interface Progress {
  keyId?: string;
}

/** Steps 3-4: the scheme's signature, parsed. */
function parseSignature(policy: Policy, request: VerifierRequest): SchemeSignature | SigilErrorCode {
  const picked = pickScheme(policy, request);
  if (typeof picked === 'string') return picked;
  try {
    return picked.scheme === 'v1' ? parseV1(policy, request, picked.field) : parseRfc9421(policy, request);
  } catch (error) {
    return codeOf(error);
  }
}

/** Runs steps 1 to 12 of SPEC.md section 4. Resolves for every request; rejects only when the key resolver answers with something that is not a key. */
export async function runChecks(policy: Policy, request: VerifierRequest, progress: Progress): Promise<VerificationResult> {
  // 1 transport; 2 no signature in the query; 3-4 the signature, parsed.
  if (!transportAllowed(policy, request)) return failure('insecure_transport');
  if (hasSignatureInQuery(request.target)) return failure('signature_in_query');
  const signature = parseSignature(policy, request);
  if (typeof signature === 'string') return failure(signature);
  const { claim } = signature;
  progress.keyId = claim.keyId;

  // 5 timestamp window, both ways (and RFC 9421 expires).
  const nowMs = policy.clock();
  const now = Math.floor(nowMs / 1000);
  if (!inWindow(policy, claim, now)) return failure('timestamp_out_of_window', { serverTime: now });

  // 6 coverage: what the policy requires is signed.
  try {
    signature.checkCoverage();
  } catch (error) {
    return failure(codeOf(error));
  }

  // 7 keys of this id, active at the verifier's clock; a failing resolver fails closed.
  let all: readonly ActiveKey[];
  try {
    all = await policy.keys(claim.keyId);
  } catch (error) {
    if (isSigilError(error, 'key_lookup_unavailable')) return failure('key_lookup_unavailable');
    throw error;
  }
  const active: ActiveKey[] = all.filter((k) => k.notBeforeMs <= nowMs && nowMs <= k.notAfterMs);
  if (active.length === 0) return failure('key_unknown');

  // 8 body.
  const body = await readBody(policy, request);
  if (typeof body === 'string') return failure(body);

  // 9 canonical string or signature base; 10 MAC under each active key, constant time.
  let outcome;
  try {
    outcome = signature.verifyMac(
      body,
      active.map((k) => k.key),
    );
  } catch (error) {
    return failure(codeOf(error));
  }
  if (!outcome.ok) return failure(outcome.code, policy.debug && outcome.canonical !== undefined ? { canonical: outcome.canonical } : {});

  // 11 scope of the matching key; 12 nonce.
  const matched = active[outcome.index]!;
  if (!inScope(matched, request.method, request.target)) return failure('key_scope_denied');
  const nonceProblem = await storeNonce(policy, claim);
  if (nonceProblem === 'timestamp_out_of_window') return failure(nonceProblem, { serverTime: Math.floor(policy.clock() / 1000) });
  if (nonceProblem) return failure(nonceProblem);

  return { ok: true, keyId: claim.keyId, keyIndex: all.indexOf(matched), timestamp: claim.created, body, ...outcome.details };
}
