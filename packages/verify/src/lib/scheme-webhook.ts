// A webhook scheme of @sigil/core/webhooks (SPEC.md section 10) as a
// pipeline scheme: core's strict parse and the scheme's own timestamp check
// (steps 4-5), every configured secret against every signature (9-10), and
// the replay key under the scheme's name (12). The key is the endpoint's, so
// the claim has no key id: no lookup (7), no scope (11).
import { SigilError } from '@sigil/core';
import type { WebhookScheme } from '@sigil/core/webhooks';
import type { VerifierRequest } from '../types.js';
import type { Scheme, SchemeSignature } from './scheme.js';

const STEPS = ['detect', 'parse', 'checkTimestamp', 'matchSecret', 'replay'] as const;

/**
 * A WebhookScheme value from `@sigil/core/webhooks`, checked by shape (so
 * duplicate installs of core stay usable, and a new scheme in core needs no
 * change here).
 */
export function isWebhookScheme(value: unknown): value is WebhookScheme {
  if (typeof value !== 'object' || value === null) return false;
  const scheme = value as Partial<Record<string, unknown>>;
  return typeof scheme['name'] === 'string' && typeof scheme['signatureHeader'] === 'string' && typeof scheme['retentionSeconds'] === 'number' && STEPS.every((step) => typeof scheme[step] === 'function');
}

/** The pipeline scheme for `hook`. */
export function webhookScheme(hook: WebhookScheme): Scheme<true> {
  const parse = (_policy: unknown, request: VerifierRequest, _found: true, now: number): SchemeSignature => {
    const claim = hook.parse(request.headers);
    // The sender's own tolerance, not the verifier's window: the claim then
    // has no `created` for the shared step 5 and step 12's re-check.
    hook.checkTimestamp(claim, now);
    return {
      claim: {},
      checkCoverage: () => undefined, // the scheme fixes what is signed (coverage: body, and its time and id)
      verifyMac(body) {
        const index = hook.matchSecret(claim, body);
        if (index < 0) return { ok: false, code: 'signature_invalid' };
        return {
          ok: true,
          index,
          details: {
            scheme: hook.name,
            secretIndex: index,
            ...(claim.timestamp === undefined ? {} : { timestamp: claim.timestamp }),
            ...(claim.id === undefined ? {} : { id: claim.id }),
            idSigned: claim.idSigned,
            // SPEC.md section 10.1: the signed id where there is one, else the
            // signed bytes. Said here without hashing them: with replay off,
            // or until step 12, the key itself is not needed.
            replaySource: claim.idSigned && claim.id !== undefined ? 'id' : 'content',
          },
        };
      },
      // Remembered for the retention from now (not from the sender's time),
      // under the scheme's name as the key id: Redis `<prefix><scheme>:<key>`.
      replay: (_settled, nowMs, body) => ({
        space: hook.name,
        id: hook.replay(claim, body).key,
        expiresAtMs: Math.floor(nowMs + hook.retentionSeconds * 1000),
      }),
    };
  };
  return Object.freeze({
    name: hook.name,
    keys: 'endpoint',
    unscreened: true,
    detect: (request: VerifierRequest) => (hook.detect(request.headers) ? true : undefined),
    parse,
  });
}

/** Thrown by configuration code for a scheme list entry that is neither a built-in name nor a webhook scheme. */
export function notAScheme(index: number): SigilError {
  return new SigilError('invalid_option', {
    detail: `schemes.${index}: expected 'v1', 'rfc9421' or a webhook scheme from @sigil/core/webhooks (standardWebhooksScheme(...), stripeScheme(...), ...)`,
  });
}
