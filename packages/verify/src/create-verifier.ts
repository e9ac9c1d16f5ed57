import { checkMethod, checkTarget } from '@sigil/core';
import { acceptSignatureValue } from './lib/accept-signature.js';
import { runChecks, type Progress } from './lib/checks.js';
import { signBound } from './lib/response-binding.js';
import { settlePolicy, type Policy } from './lib/policy.js';
import { transportHint } from './lib/request-parts.js';
import type { MixedVerifierOptions, VerifierOptions } from './options.js';
import type { AnyVerificationSuccess, VerificationResult, Verifier, VerifierEvent, VerifierRequest, VerifyOptions } from './types.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function valid(check: (value: string) => void, value: string): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

function emit(policy: Policy, request: VerifierRequest, progress: Progress, result: VerificationResult<AnyVerificationSuccess>, started: number): void {
  const onEvent = policy.onEvent;
  if (!onEvent) return;
  const q = typeof request.target === 'string' ? request.target.indexOf('?') : -1;
  const event: VerifierEvent = {
    type: result.ok ? 'accepted' : 'rejected',
    ...(result.ok ? {} : { code: result.code }),
    ...(result.ok || result.code !== 'insecure_transport' ? {} : { hint: result.hint ?? transportHint(policy, request) }),
    ...(progress.keyId ? { keyId: progress.keyId } : {}),
    ...(progress.scheme ? { scheme: progress.scheme as NonNullable<VerifierEvent['scheme']> } : {}),
    ...(valid(checkMethod, request.method) ? { method: request.method } : {}),
    ...(valid(checkTarget, request.target) ? { path: q < 0 ? request.target : request.target.slice(0, q) } : {}),
    latencyMs: performance.now() - started,
  };
  try {
    onEvent(event);
  } catch {
    // A failing metrics hook must never change a verification result.
  }
}

/**
 * Creates the server-side verifier. Options are validated now: a bad one
 * throws `SigilError('invalid_option')` naming it. Secrets in a static key
 * map are imported once, here.
 *
 * The secure policy is the default: HTTPS required (loopback peers exempt),
 * every method verified, `host` always signed, replays refused through the
 * required `nonceStore`, ±300 s timestamp window, 1 MiB body cap, the v1
 * scheme only (`schemes: ['v1', 'rfc9421']` accepts RFC 9421 too).
 *
 * @example
 * import { importKey } from '@sigil/core';
 * import { createVerifier, MemoryNonceStore } from '@sigil/verify';
 *
 * const verifier = createVerifier({
 *   keys: { 'client-1': importKey(process.env.CLIENT_1_SECRET!, { encoding: 'base64url' }) },
 *   nonceStore: new MemoryNonceStore(),
 *   requiredHeaders: ['content-type'],
 * });
 * const result = await verifier.verify({ method: 'POST', target: '/hooks', headers, body });
 * if (!result.ok) console.log(result.code, result.status);
 *
 * // RFC 9421 HTTP Message Signatures as well, with the same keys, window and nonce store:
 * const both = createVerifier({ keys, nonceStore, schemes: ['v1', 'rfc9421'] });
 *
 * // And Stripe's webhooks (its secret is the endpoint's: no key id):
 * const all = createVerifier({ keys, nonceStore, schemes: ['v1', stripeScheme({ secrets: [stripeSecret] })] });
 */
export function createVerifier(options: VerifierOptions): Verifier;
export function createVerifier(options: MixedVerifierOptions): Verifier<AnyVerificationSuccess>;
export function createVerifier(options: VerifierOptions | MixedVerifierOptions): Verifier<AnyVerificationSuccess> {
  return verifierOf(settlePolicy(options));
}

/** The verifier for a settled policy (createVerifier and createWebhookVerifier). */
export function verifierOf<Success extends AnyVerificationSuccess>(policy: Policy): Verifier<Success> {
  // Without an event hook, runChecks' own promise is the answer: no second
  // promise and microtask turn per request.
  const verify = policy.onEvent
    ? async (request: VerifierRequest, options?: VerifyOptions): Promise<VerificationResult<Success>> => {
        const started = performance.now();
        const progress: Progress = {};
        const result = await runChecks(policy, request, progress, options?.bindResponse === true);
        emit(policy, request, progress, result, started);
        return result as VerificationResult<Success>;
      }
    : (request: VerifierRequest, options?: VerifyOptions): Promise<VerificationResult<Success>> =>
        runChecks(policy, request, undefined, options?.bindResponse === true) as Promise<VerificationResult<Success>>;
  // Closures hold the keys: nothing to see through inspect or JSON. The
  // bindings live in this module's WeakMap, so signResponse is the
  // verifier's own method: an adapter bundled apart from it signs through it.
  return Object.freeze({
    verify,
    signResponse: signBound,
    acceptSignature: acceptSignatureValue(policy),
    [INSPECT]: () => 'Verifier { <redacted> }',
    toJSON: () => 'Verifier { <redacted> }',
  });
}
