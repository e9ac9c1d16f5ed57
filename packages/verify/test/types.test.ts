// Type-level checks of the public API (run by vitest's expectTypeOf; the
// root typecheck fails on any mismatch).
import type { SigilErrorCode } from '@sigil/core';
import { describe, expectTypeOf, it } from 'vitest';
import { sigilFetchHandler } from '../src/adapters/fetch/index.js';
import { sigilListener } from '../src/adapters/node/index.js';
import { stripeScheme } from '@sigil/core/webhooks';
import { createVerifier, createWebhookVerifier, type AnyVerificationSuccess, type VerificationResult, type VerificationSuccess, type Verifier, type WebhookVerificationSuccess } from '../src/index.js';

describe('public types', () => {
  it('narrows a result on ok', () => {
    expectTypeOf(createVerifier({ keys: {}, replay: false })).toEqualTypeOf<Verifier>();
    expectTypeOf<Verifier['verify']>().returns.resolves.toEqualTypeOf<VerificationResult>();
    const result = {} as VerificationResult;
    if (result.ok) expectTypeOf(result.body).toEqualTypeOf<Uint8Array>();
    else expectTypeOf(result.code).toEqualTypeOf<SigilErrorCode>();
  });

  it('never types a nonce or MAC into a success', () => {
    expectTypeOf<VerificationSuccess>().not.toHaveProperty('nonce');
    expectTypeOf<VerificationSuccess>().not.toHaveProperty('mac');
    expectTypeOf<VerificationSuccess>().not.toHaveProperty('params');
  });

  it("keeps a Fetch handler's extra arguments (Next.js context)", () => {
    type Context = { params: Promise<{ id: string }> };
    const handler = sigilFetchHandler(createVerifier({ keys: {}, replay: false }), async (_req, v, ctx: Context) => Response.json({ id: (await ctx.params).id, k: v.keyId }));
    expectTypeOf(handler).toEqualTypeOf<(request: Request, ctx: Context) => Promise<Response>>();
  });

  it('gives a node listener the verification', () => {
    sigilListener(createVerifier({ keys: {}, replay: false }), (_req, _res, v) => expectTypeOf(v).toEqualTypeOf<VerificationSuccess>());
  });

  it('types a webhook verifier, and one that mixes webhooks with v1', () => {
    const stripe = stripeScheme({ secrets: 'whsec_test' });
    const webhooks = createWebhookVerifier({ schemes: [stripe], replay: false });
    expectTypeOf(webhooks).toEqualTypeOf<Verifier<WebhookVerificationSuccess>>();
    expectTypeOf(createVerifier({ keys: {}, replay: false, schemes: ['v1', stripe] })).toEqualTypeOf<Verifier<AnyVerificationSuccess>>();
    sigilListener(webhooks, (_req, _res, v) => {
      expectTypeOf(v.scheme).toEqualTypeOf<'standard-webhooks' | 'stripe' | 'github' | 'slack' | 'shopify'>();
      expectTypeOf(v.timestamp).toEqualTypeOf<number | undefined>();
    });
    expectTypeOf<WebhookVerificationSuccess>().not.toHaveProperty('keyId');
    expectTypeOf<WebhookVerificationSuccess>().not.toHaveProperty('signatures');
    // A success of the mixed verifier narrows on scheme.
    const any = {} as AnyVerificationSuccess;
    if (any.scheme === 'v1' || any.scheme === 'rfc9421') expectTypeOf(any.keyId).toEqualTypeOf<string>();
  });
});
