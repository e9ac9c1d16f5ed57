// The verification pipeline, one for every scheme, in the order SPEC.md
// section 4 states: cheapest first; the body is read only after the header,
// timestamp and coverage checks pass (for an unknown key id too, which is
// decided at step 10 like a bad MAC); the nonce is stored only after the MAC (and
// the key's scope) pass. Steps 2-4, 6, 9-10 and what step 12 remembers are
// the scheme's (a Scheme value, scheme.ts); every other step is here, once,
// and this file names no scheme.
import { importKey, isSigilError, type SigilErrorCode, type SigilKey } from '@sigil/core';
import { checkNow, MemoryNonceStore } from '../memory-nonce-store.js';
import type { AnyVerificationSuccess, VerificationResult, VerificationSuccess, VerifierRequest, WebhookVerificationSuccess } from '../types.js';
import { activeAt, inScope, isThenable, secretsOf, type ActiveKey } from './keys.js';
import type { Policy } from './policy.js';
import { boundOf, tie } from './response-binding.js';
import { earlyFailure } from './early-binding.js';
import { declaredLength, transportAllowed, transportHint } from './request-parts.js';
import { failure, type Claim, type EndpointDetails, type Scheme, type SchemeDetails, type SchemeSignature } from './scheme.js';

const EMPTY = new Uint8Array(0);
const NO_KEYS: readonly SigilKey[] = Object.freeze([]);
/**
 * The key an unknown key id is checked against: random, never configured, so it
 * matches nothing. Made on first use, not at import: workerd forbids generating
 * random values in global scope, so a module-level call fails the Worker's load.
 */
let decoy: readonly SigilKey[] | undefined;
const DECOY = (): readonly SigilKey[] => (decoy ??= [importKey(crypto.getRandomValues(new Uint8Array(32)))]);

/** Core raises only SigilErrors for bad input; anything else is a bug and propagates. */
function codeOf(error: unknown): SigilErrorCode {
  if (isSigilError(error)) return error.code;
  throw error;
}

// Fast paths: a static key map, a body already in bytes and the memory
// store answer synchronously. The pipeline awaits only what is a promise,
// since each await costs a microtask turn on every request.

type Body = Uint8Array | SigilErrorCode;

/** The cap applies to what arrived, whatever the header said. */
function capped(body: unknown, max: number): Body {
  if (!(body instanceof Uint8Array)) return 'body_read_failed';
  return body.length > max ? 'body_too_large' : body;
}

async function readLazy(read: (max: number) => Promise<Uint8Array> | Uint8Array, max: number): Promise<Body> {
  try {
    return capped(await read(max), max);
  } catch (error) {
    return isSigilError(error, 'body_too_large') ? 'body_too_large' : 'body_read_failed';
  }
}

/** Step 8: the declared length first, then the bytes, capped. A promise only for a body reader. */
export function readBody(policy: Policy, request: VerifierRequest): Body | Promise<Body> {
  const max = policy.maxBodyBytes;
  const declared = declaredLength(request.headers);
  if (declared !== undefined && declared > max) return 'body_too_large';
  const source = request.body;
  return typeof source === 'function' ? readLazy(source, max) : capped(source ?? EMPTY, max);
}

/** Step 5 (and its re-check at step 12): `created` within the window both ways, `expires` not past. */
function inWindow(policy: Policy, claim: Claim, now: number): boolean {
  const { created, expires } = claim;
  return (created === undefined || Math.abs(now - created) <= policy.toleranceSeconds) && !(expires !== undefined && now > expires);
}

/** The store's answer, mapped to a code; every store failure fails closed. */
function stored(fresh: unknown): SigilErrorCode | undefined {
  if (fresh === true) return undefined;
  return fresh === false ? 'nonce_replayed' : 'nonce_store_unavailable';
}

function storeFailure(error: unknown): SigilErrorCode {
  return isSigilError(error, 'nonce_store_full') ? 'nonce_store_full' : 'nonce_store_unavailable';
}

/** Step 12: one atomic check-and-store of what the scheme remembers. A promise unless the store is a MemoryNonceStore. */
function storeNonce(policy: Policy, signature: SchemeSignature, body: Uint8Array): SigilErrorCode | undefined | Promise<SigilErrorCode | undefined> {
  const store = policy.nonceStore;
  if (!store) return undefined;
  // A slow body may have outlived the window: the store would refuse a past expiry.
  const nowMs = policy.clock();
  const { space, id, expiresAtMs } = signature.replay(policy, nowMs, body);
  if (nowMs >= expiresAtMs || !inWindow(policy, signature.claim, Math.floor(nowMs / 1000))) return 'timestamp_out_of_window';
  try {
    // The memory store's own method, not a subclass's or a spy's: call it directly.
    if (store instanceof MemoryNonceStore && store.checkAndStore === MemoryNonceStore.prototype.checkAndStore) {
      return stored(checkNow(store, space, id, expiresAtMs));
    }
    return Promise.resolve(store.checkAndStore(space, id, expiresAtMs)).then(stored, storeFailure);
  } catch (error) {
    return storeFailure(error);
  }
}

/** What the caller learns even when the checks fail: for events only. */
export interface Progress {
  keyId?: string;
  /** The scheme, for one whose key is the endpoint's (no key id to name). */
  scheme?: Scheme['name'];
}

/**
 * Steps 2-4: every accepted scheme's screen (unless the request carries the
 * field of a scheme that skips them: a webhook); then the one accepted
 * scheme whose field the request carries, parsed. Fields of several
 * accepted schemes are ambiguous and refused (`signature_header_malformed`):
 * the verifier never guesses which of two signatures the application relies
 * on. A field of a scheme the policy does not accept is ignored.
 */
function parseSignature(policy: Policy, request: VerifierRequest, now: number, progress: Progress | undefined): SchemeSignature | SigilErrorCode {
  let picked: Scheme | undefined;
  let found: unknown;
  let several = false;
  let screened = true;
  for (const scheme of policy.schemes) {
    const seen = scheme.detect(request);
    if (seen === undefined) continue;
    if (scheme.unscreened) screened = false;
    if (picked) several = true;
    picked = scheme;
    found = seen;
  }
  if (screened) {
    for (const screen of policy.screens) {
      const refused = screen(request);
      if (refused) return refused;
    }
  }
  if (several) return 'signature_header_malformed';
  if (!picked) return 'signature_missing';
  if (progress && picked.keys === 'endpoint') progress.scheme = picked.name;
  try {
    return picked.parse(policy, request, found, now);
  } catch (error) {
    return codeOf(error);
  }
}

/** The success: a request's key id and what its scheme adds, or (no key id) the endpoint scheme's report. */
function success(claim: Claim, body: Uint8Array, details: SchemeDetails | EndpointDetails, keyIndex: number): AnyVerificationSuccess {
  if (claim.keyId === undefined) return { ok: true, ...(details as EndpointDetails), body } satisfies WebhookVerificationSuccess;
  const { scheme, algorithm, signedHeaders } = details as SchemeDetails;
  const keyed: VerificationSuccess = { ok: true, keyId: claim.keyId, keyIndex, timestamp: claim.created!, body, scheme, algorithm, signedHeaders };
  // v1 adds nothing else: no spread on its hot path.
  return scheme === 'v1' ? keyed : { ...keyed, ...details };
}

/**
 * Runs steps 1 to 12 of SPEC.md section 4. Resolves for every request; rejects only when the key resolver answers with something that is not a key.
 * `bind` (response signing, SPEC.md section 11.5): remember what the answer is bound to, for every result whose MAC passed.
 */
export async function runChecks(policy: Policy, request: VerifierRequest, progress?: Progress, bind = false): Promise<VerificationResult<AnyVerificationSuccess>> {
  // 1 transport; 2 the schemes' screens (no signature in the query); 3-4 the signature, parsed.
  if (!transportAllowed(policy, request)) return failure('insecure_transport', policy.debug ? { hint: transportHint(policy, request) } : {});
  const nowMs = policy.clock();
  const now = Math.floor(nowMs / 1000);
  const signature = parseSignature(policy, request, now, progress);
  // A scheme that checks its own signed time refuses it while parsing.
  if (typeof signature === 'string') return failure(signature, signature === 'timestamp_out_of_window' ? { serverTime: now } : {});
  const { claim } = signature;
  const keyId = claim.keyId;
  if (progress && keyId !== undefined) progress.keyId = keyId;

  // 5 timestamp window, both ways (and RFC 9421 expires).
  if (!inWindow(policy, claim, now)) {
    const stale = failure('timestamp_out_of_window', { serverTime: now });
    return bind ? earlyFailure(policy, request, signature, stale, true) : stale;
  }

  // 6 coverage: what the policy requires is signed.
  try {
    signature.checkCoverage();
  } catch (error) {
    const code = codeOf(error);
    // An uncovered requirement is what Accept-Signature answers: bound, its 401 is signed.
    return bind && code === 'header_not_signed' ? earlyFailure(policy, request, signature, failure(code), false) : failure(code);
  }

  // 7 keys of this id, active at the verifier's clock; a failing resolver
  // fails closed. A scheme without a key id holds its own secrets.
  let all: readonly ActiveKey[] = [];
  if (keyId !== undefined) {
    try {
      const found = policy.keys(keyId);
      all = isThenable(found) ? await found : found;
    } catch (error) {
      if (isSigilError(error, 'key_lookup_unavailable')) return failure('key_lookup_unavailable');
      throw error;
    }
  }
  const active = activeAt(all, nowMs);
  // No active key: carry on as if there were one (the decoy), so that body
  // reading, connection handling, errors and the work done read exactly as
  // for a known id with a bad MAC; key_unknown is decided at step 10.
  const unknown = keyId !== undefined && active.length === 0;

  // 8 body.
  const read = readBody(policy, request);
  const body = read instanceof Promise ? await read : read;
  if (typeof body === 'string') return failure(body);

  // 9 canonical string or signature base; 10 MAC under each active key, constant time.
  let outcome;
  try {
    outcome = signature.verifyMac(body, keyId === undefined ? NO_KEYS : unknown ? DECOY() : secretsOf(active));
  } catch (error) {
    return failure(codeOf(error));
  }
  if (unknown || !outcome.ok) {
    const canonical = policy.debug && !outcome.ok ? outcome.canonical : undefined;
    return failure(unknown || outcome.ok ? 'key_unknown' : outcome.code, canonical !== undefined ? { canonical } : {});
  }

  // 11 scope of the matching key; 12 nonce.
  const matched = active[outcome.index];
  // Every answer from here on can be signed: the MAC passed.
  const bound = bind ? boundOf(policy, signature, matched) : undefined;
  if (matched && !inScope(matched, request.method, request.target)) return tie(failure('key_scope_denied'), bound);
  const storing = storeNonce(policy, signature, body);
  const nonceProblem = storing instanceof Promise ? await storing : storing;
  if (nonceProblem === 'timestamp_out_of_window') return tie(failure(nonceProblem, { serverTime: Math.floor(policy.clock() / 1000) }), bound);
  if (nonceProblem) return tie(failure(nonceProblem), bound);

  return tie(success(claim, body, outcome.details, matched ? all.indexOf(matched) : -1), bound);
}
