// The verification pipeline, in the order SPEC.md section 4 states: cheapest
// first; the body is read only after the header, timestamp and key checks
// pass; the nonce is stored only after the MAC (and the key's scope) pass.
import {
  canonicalize,
  checkCoverage,
  ERROR_STATUS,
  hasSignatureInQuery,
  isSigilError,
  matchMac,
  parseSignatureHeader,
  publicCode,
  type SigilErrorCode,
  type SignatureParams,
} from '@sigil/core';
import type { VerificationFailure, VerificationResult, VerifierRequest } from '../types.js';
import { inScope, type ActiveKey } from './keys.js';
import type { Policy } from './policy.js';
import { declaredLength, signatureLines, transportAllowed } from './request-parts.js';

const EMPTY = new Uint8Array(0);

function failure(code: SigilErrorCode, extra: { serverTime?: number; canonical?: string } = {}): VerificationFailure {
  return { ok: false, code, status: ERROR_STATUS[code], publicCode: publicCode(code), ...extra };
}

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

/** Step 12: one atomic check-and-store; every store failure fails closed. */
async function storeNonce(policy: Policy, params: SignatureParams): Promise<SigilErrorCode | undefined> {
  const store = policy.nonceStore;
  if (!store) return undefined;
  // Kept until the last millisecond at which step 5 still accepts this ts.
  const expiresAtMs = (params.timestamp + policy.toleranceSeconds + 1) * 1000;
  // A slow body may have outlived the window: the store would refuse a past expiry.
  if (policy.clock() >= expiresAtMs) return 'timestamp_out_of_window';
  try {
    const fresh = await store.checkAndStore(params.keyId, params.nonce, expiresAtMs);
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

/** Runs steps 1 to 12 of SPEC.md section 4. Resolves for every request; rejects only when the key resolver answers with something that is not a key. */
export async function runChecks(policy: Policy, request: VerifierRequest, progress: Progress): Promise<VerificationResult> {
  // 1 transport; 2 no signature in the query; 3 exactly one field line.
  if (!transportAllowed(policy, request)) return failure('insecure_transport');
  if (hasSignatureInQuery(request.target)) return failure('signature_in_query');
  const fields = signatureLines(request.headers);
  if (fields.length !== 1) return failure(fields.length === 0 ? 'signature_missing' : 'signature_header_malformed');

  // 4 parse.
  let params: SignatureParams;
  try {
    params = parseSignatureHeader(fields[0]!);
  } catch (error) {
    return failure(codeOf(error));
  }
  progress.keyId = params.keyId;

  // 5 timestamp window, both ways.
  const nowMs = policy.clock();
  const now = Math.floor(nowMs / 1000);
  if (!(Math.abs(now - params.timestamp) <= policy.toleranceSeconds)) {
    return failure('timestamp_out_of_window', { serverTime: now });
  }

  // 6 coverage: host and the verifier's required headers.
  try {
    checkCoverage(params, policy.requiredHeaders);
  } catch (error) {
    return failure(codeOf(error));
  }

  // 7 keys of this id, active at the verifier's clock.
  let all: readonly ActiveKey[];
  try {
    all = await policy.keys(params.keyId);
  } catch (error) {
    if (isSigilError(error, 'key_lookup_unavailable')) return failure('key_lookup_unavailable');
    throw error;
  }
  const active: ActiveKey[] = all.filter((k) => k.notBeforeMs <= nowMs && nowMs <= k.notAfterMs);
  if (active.length === 0) return failure('key_unknown');

  // 8 body.
  const body = await readBody(policy, request);
  if (typeof body === 'string') return failure(body);

  // 9 canonical string; 10 MAC under each active key, constant time.
  let canonical: string;
  try {
    canonical = canonicalize({ method: request.method, target: request.target, headers: request.headers, body }, params);
  } catch (error) {
    return failure(codeOf(error));
  }
  const index = matchMac(
    params,
    canonical,
    active.map((k) => k.key),
  );
  if (index < 0) return failure('signature_invalid', policy.debug ? { canonical } : {});

  // 11 scope of the matching key; 12 nonce.
  const matched = active[index]!;
  if (!inScope(matched, request.method, request.target)) return failure('key_scope_denied');
  const nonceProblem = await storeNonce(policy, params);
  if (nonceProblem === 'timestamp_out_of_window') return failure(nonceProblem, { serverTime: Math.floor(policy.clock() / 1000) });
  if (nonceProblem) return failure(nonceProblem);

  return {
    ok: true,
    keyId: params.keyId,
    keyIndex: all.indexOf(matched),
    algorithm: params.algorithm,
    timestamp: params.timestamp,
    signedHeaders: params.headers,
    body,
  };
}
